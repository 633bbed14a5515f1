from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [path("data/", views.data_page, name="data")]
