from django.contrib import admin

from ventanilla.sla.models import BusinessCalendar, CalendarClosure


class ClosureInline(admin.TabularInline):
    model = CalendarClosure
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "holidays_country", "holidays_subdivision", "is_24x7"]
    search_fields = ["name"]
    inlines = [ClosureInline]
