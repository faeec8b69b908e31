from django.urls import path

from wallet import views, webhooks

urlpatterns = [
    path("api/v1/status", views.status),
    path("api/v1/wallets", views.wallets),
    path("api/v1/wallets/<str:wallet_id>/balance", views.wallet_balance),
    path("api/v1/wallets/<str:wallet_id>/topups", views.topups),
    path("api/v1/wallets/<str:wallet_id>/payouts", views.payouts),
    path("api/v1/wallets/<str:wallet_id>/reservations", views.wallet_reservations),
    path("api/v1/topups/<str:topup_id>", views.topup),
    path("api/v1/payouts/<str:payout_id>", views.payout),
    path("api/v1/reservations/lapse", views.lapse),
    path("api/v1/reservations/<str:reservation_id>", views.reservation),
    path("api/v1/reservations/<str:reservation_id>/capture", views.capture),
    path("api/v1/reservations/<str:reservation_id>/void", views.void),
    path("api/v1/transfers", views.transfers),
    path("api/v1/ledger/legs", views.legs),
    path("api/v1/ledger/totals", views.totals),
    path("api/v1/tasks", views.tasks),
    path("api/v1/config", views.config),
    # the PSPs deliver to these (golive's stub PSP too)
    path("webhooks/stripe", webhooks.stripe_webhook),
    path("webhooks/adyen", webhooks.adyen_webhook),
]
