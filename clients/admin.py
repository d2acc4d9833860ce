from django.contrib import admin

from clients.models import Client


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "industry", "company_size", "archived_at", "updated_at"]
    list_filter = ["company_size", ("archived_at", admin.EmptyFieldListFilter), "workspace"]
    search_fields = ["name", "industry", "workspace__name"]
    list_select_related = ["workspace"]
    autocomplete_fields = ["workspace"]
    readonly_fields = ["created_at", "updated_at"]
