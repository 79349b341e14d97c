"""The weekly report's pages; ``psi.urls`` mounts them in the ``dashboard`` namespace, where
their names have always been (``dashboard:subscription``)."""

from django.urls import path

from reports import views

urlpatterns = [
    path("reports/subscription/", views.subscription, name="subscription"),
    path("reports/unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
]
