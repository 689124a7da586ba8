"""The shared views alone (ORM_VIEWS_MODULE_NAME = "shared_views"): no view of a tenant's tables."""

from .postgres_views import ClientsPerPlan, PlanPrices

__all__ = ["ClientsPerPlan", "PlanPrices"]
