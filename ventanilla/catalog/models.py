from django.db import models
from django.utils.translation import gettext_lazy as _


class Product(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProductVersion(models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="versions", verbose_name=_("product")
    )
    name = models.CharField(_("version"), max_length=40)
    is_supported = models.BooleanField(_("supported"), default=True)
    released_on = models.DateField(_("released on"), null=True, blank=True)

    class Meta:
        verbose_name = _("product version")
        verbose_name_plural = _("product versions")
        ordering = ["product", "-released_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="version_unique_name")
        ]

    def __str__(self):
        return f"{self.product.name} {self.name}"


class RequestType(models.Model):
    """What the customer asks for ("Soporte de mis productos contratados", "Avería", …)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("request type")
        verbose_name_plural = _("request types")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name
