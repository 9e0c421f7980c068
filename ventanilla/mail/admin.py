from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ventanilla.mail.intake import inbound_reprocess_now
from ventanilla.mail.models import InboundEmail, IntakeAddress, Mailbox, OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "template", "subject", "state", "attempts", "sent_at"]
    list_filter = ["state", "template"]
    search_fields = ["subject", "message_id"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    """Supervisors see quarantined mail here and send it through intake again."""

    list_display = ["received_at", "sender", "subject", "state", "reason", "ticket", "source"]
    list_filter = ["state", "reason", "source"]
    search_fields = ["sender", "subject", "message_id"]
    list_select_related = ["ticket"]
    exclude = ["raw"]
    readonly_fields = [f.name for f in InboundEmail._meta.fields if f.name != "raw"] + ["raw_text"]
    actions = ["reprocess"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("raw message"))
    def raw_text(self, obj):
        return bytes(obj.raw)[:200_000].decode("utf-8", "replace")

    @admin.action(description=_("Process the selected emails again"))
    def reprocess(self, request, queryset):
        done = 0
        for inbound in queryset.exclude(state=InboundEmail.State.PROCESSED):
            inbound_reprocess_now(inbound=inbound)
            done += 1
        self.message_user(
            request,
            ngettext("%d email processed again.", "%d emails processed again.", done) % done,
        )


@admin.register(IntakeAddress)
class IntakeAddressAdmin(admin.ModelAdmin):
    list_display = ["address", "severity", "team", "request_type", "is_active"]
    list_filter = ["severity", "is_active"]


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ["name", "host", "username", "folder", "is_active", "last_fetch_at"]
    readonly_fields = ["last_fetch_at", "last_error"]
