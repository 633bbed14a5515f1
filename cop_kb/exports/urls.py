from django.urls import path

from . import downloads

app_name = "exports"

urlpatterns = [
    path(f"data/downloads/{downloads.ZIP_NAME}", downloads.csv_zip, name="csv-zip"),
]
