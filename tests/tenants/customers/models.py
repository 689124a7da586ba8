"""The tenant and domain models django-tenants needs, and Plan, a table every tenant shares."""

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Plan(models.Model):
    name = models.CharField(max_length=50, unique=True)
    monthly_price = models.DecimalField(max_digits=8, decimal_places=2)
    # An integer in 0002, retyped to a decimal by 0003: mixed views read it.
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)


class Client(TenantMixin):
    name = models.CharField(max_length=100)
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL)

    # Deleting a tenant drops its schema (delete_tenant sets this on the instance anyway).
    auto_drop_schema = True


class Domain(DomainMixin):
    pass
