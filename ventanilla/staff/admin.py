from django.contrib import admin

from ventanilla.staff.models import Agent, CannedReply, RoutingRule, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "email"]
    list_filter = ["tier"]
    filter_horizontal = ["products"]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "is_active"]
    list_filter = ["role", "is_active", "teams"]
    filter_horizontal = ["teams"]
    raw_id_fields = ["user"]


# ---- console ----


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["product", "version", "tier", "team"]
    list_filter = ["tier", "team"]


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "is_active"]
    list_filter = ["language", "is_active"]
    search_fields = ["title", "body"]
