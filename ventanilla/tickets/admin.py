"""Read-only views of tickets for administrators: every change goes through tickets.services."""

from django.contrib import admin

from ventanilla.tickets.models import Attachment, Event, Message, Participant, Ticket


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = Event
    fields = ["created_at", "kind", "actor", "actor_kind", "before", "after", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "subject",
        "organization",
        "status",
        "severity",
        "priority",
        "team",
        "assignee",
        "last_activity_at",
    ]
    list_filter = ["status", "severity", "priority", "channel", "tier"]
    list_select_related = ["organization", "team", "assignee"]
    search_fields = ["number", "subject"]
    show_full_result_count = False
    inlines = [EventInline]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "kind", "author", "channel", "created_at"]
    list_select_related = ["ticket", "author"]
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["filename", "ticket", "content_type", "size", "created_at"]
    list_select_related = ["ticket"]


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "contact", "created_at"]
    list_select_related = ["ticket", "contact"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "kind", "actor", "actor_kind", "created_at"]
    list_filter = ["kind", "actor_kind"]
    list_select_related = ["ticket", "actor"]
    show_full_result_count = False
