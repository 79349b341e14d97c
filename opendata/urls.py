from django.urls import path

from opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("catalog.jsonld", views.catalog, name="catalog"),
    path("<str:month>/v<int:version>/<str:name>", views.download, name="file"),
]
