"""Access decorators for interface views: customers in the portal, staff in the console."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from ventanilla.accounts.roles import contact_of, is_staff_member


def _require(predicate):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


customer_required = _require(lambda user: contact_of(user) is not None)
staff_required = _require(is_staff_member)
