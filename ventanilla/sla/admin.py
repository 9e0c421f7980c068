from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ventanilla.sla.models import (
    Automation,
    BusinessCalendar,
    CalendarClosure,
    SlaChange,
    SlaClock,
    SlaPolicy,
    SlaTarget,
)
from ventanilla.tickets.models import Channel, Priority, Severity


class ClosureInline(admin.TabularInline):
    model = CalendarClosure
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "holidays_country", "holidays_subdivision", "is_24x7"]
    search_fields = ["name"]
    inlines = [ClosureInline]


class TargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 1


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "position",
        "is_active",
        "organization",
        "severity",
        "priority",
        "product",
        "request_type",
        "channel",
    ]
    list_editable = ["position", "is_active"]
    list_filter = ["kind", "is_active", "severity", "priority"]
    search_fields = ["name"]
    autocomplete_fields = ["organization"]
    inlines = [TargetInline]
    fieldsets = [
        (None, {"fields": ["name", "kind", "position", "is_active", "calendar"]}),
        (
            _("Conditions (empty = any)"),
            {
                "fields": [
                    "organization",
                    "severity",
                    "priority",
                    "product",
                    "request_type",
                    "channel",
                ]
            },
        ),
        (
            _("Warnings and breaches"),
            {
                "fields": [
                    "warning_percent",
                    "notify_assignee",
                    "notify_team",
                    "notify_supervisors",
                    "breach_raise_tier",
                    "breach_reassign_to",
                ]
            },
        ),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        choices = {
            "severity": Severity.choices,
            "priority": Priority.choices,
            "channel": Channel.choices,
        }
        if db_field.name in choices:
            kwargs["widget"] = forms.Select(choices=[("", _("any")), *choices[db_field.name]])
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Automation)
class AutomationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "trigger",
        "after_amount",
        "after_unit",
        "action",
        "severity",
        "is_active",
    ]
    list_editable = ["is_active"]
    list_filter = ["trigger", "action", "is_active"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "severity":
            kwargs["widget"] = forms.Select(choices=[("", _("any")), *Severity.choices])
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    list_display = ["ticket", "kind", "target", "state", "started_at", "due_at", "breached_at"]
    list_filter = ["kind", "target", "state"]
    list_select_related = ["ticket"]
    search_fields = ["ticket__number"]
    raw_id_fields = ["ticket"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SlaChange)
class SlaChangeAdmin(admin.ModelAdmin):
    """The audit trail of the console's policy and automation pages: read only."""

    list_display = ("at", "by", "subject", "name", "action")
    list_filter = ("subject", "action")
    search_fields = ("name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
