from django.contrib import admin

from ventanilla.organizations.models import Contact, Organization, Region, Site


class RegionInline(admin.TabularInline):
    model = Region
    extra = 0


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "tax_id", "city", "exclusive_support", "is_active"]
    list_filter = ["is_active", "exclusive_support", "province"]
    search_fields = ["name", "code", "tax_id", "email_domain"]
    inlines = [RegionInline, SiteInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "region", "city"]
    list_select_related = ["organization", "region"]
    search_fields = ["name", "organization__name"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "organization",
        "role",
        "state",
        "is_billing",
        "is_quotes",
        "is_technical",
    ]
    list_filter = ["state", "role", "is_billing", "is_quotes", "is_technical"]
    list_select_related = ["organization"]
    search_fields = ["name", "email", "phone", "organization__name", "organization__code"]
    raw_id_fields = ["user", "decided_by"]
    readonly_fields = ["decided_at", "decided_by"]
