"""Shared pieces of the REST API: the error format and object-permission checks.

Every error response is a JSON object with a stable machine-readable
``code`` and a human ``detail``; some add fields such as ``errors``.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.permissions import BasePermission
from rest_framework.views import exception_handler as drf_exception_handler


class ApiError(exceptions.APIException):
    """An error with an explicit HTTP status, code and extra response fields."""

    def __init__(self, status_code: int, code: str, detail: str, **extra):
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.code = code
        self.extra = extra


def exception_handler(exc, context):
    # DRF turns Django's own 404 and 403 into its exceptions; do it first so
    # they get the same body as every other error.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        response.data = {"code": exc.code, "detail": str(exc.detail), **exc.extra}
    elif isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": str(_("The request is not valid; see errors for each field.")),
            "errors": exc.detail,
        }
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        code = getattr(detail, "code", None) or exc.default_code
        response.data = {"code": code, "detail": str(detail)}
    return response


class StrictFieldsMixin:
    """Reject request fields the serializer does not accept, read-only ones included.

    DRF drops unknown keys silently, so a misspelled option such as
    ``dryrun`` would change the meaning of a request without a word.
    """

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if not isinstance(self.initial_data, dict):
            return attrs
        writable = {name for name, field in self.fields.items() if not field.read_only}
        errors = {}
        for key in self.initial_data:
            if key in writable:
                continue
            if key in self.fields:
                errors[key] = [_("This field is read-only.")]
            else:
                errors[key] = [_("Unknown field; accepted fields are %(fields)s.") % {
                    "fields": ", ".join(sorted(writable)),
                }]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def user_has_perm(user, perm: str, obj=None) -> bool:
    """True when ``user`` holds ``perm`` globally or, with django-guardian, on ``obj``."""
    if user.has_perm(perm):
        return True
    return obj is not None and user.has_perm(perm, obj)


class ActionPermission(BasePermission):
    """Require the permission the view names for the current action and method.

    The view sets ``action_permissions``: a mapping from action name to a
    permission, or to a mapping from HTTP method to a permission.
    """

    def _required(self, request, view) -> str | None:
        required = view.action_permissions.get(view.action)
        if isinstance(required, dict):
            required = required.get(request.method)
        return required

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        required = self._required(request, view)
        if required is None:
            return False
        return user_has_perm(request.user, required, obj)


