from django.db import models


class Customer(models.Model):
    """A customer. Name, email and phone are personal data: no analytics view exposes them."""

    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    phone = models.CharField(max_length=32, blank=True)
    city = models.CharField(max_length=100)
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
