from ventanilla.staff.models import SavedQueueView


def saved_views_of(user):
    return SavedQueueView.objects.filter(user=user).order_by("name")
