from django.contrib import admin

from ventanilla.catalog.models import Product, ProductVersion, RequestType


class VersionInline(admin.TabularInline):
    model = ProductVersion
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_active"]
    search_fields = ["name", "code"]
    inlines = [VersionInline]


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "position", "is_active"]
    list_editable = ["position", "is_active"]
