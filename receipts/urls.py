from django.urls import path

from . import views

app_name = "receipts"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("for/<str:kind>/<int:pk>/", views.receipt_for, name="receipt_for"),
    path("<uuid:pk>/", views.receipt, name="receipt"),
    path("<uuid:pk>/receipt.json", views.receipt_download, name="download"),
]
