from django.contrib import admin

from ventanilla.mail.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "template", "subject", "state", "attempts", "sent_at"]
    list_filter = ["state", "template"]
    search_fields = ["subject", "message_id"]
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False
