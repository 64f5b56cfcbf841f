"""Default texts of the proactive stage messages (docs/helpdesk.md, eBay's help page), per language.
A seller may replace any of them with its own template (same variables)."""

from __future__ import annotations

STAGES = ("payment", "shipped", "delivered", "problem")

DEFAULTS: dict[str, dict[str, str]] = {
    "payment": {
        "nl": "Beste {buyer_name}, bedankt voor je bestelling {order_number} en je betaling. We verzenden je bestelling uiterlijk op {ship_date}. Met vriendelijke groet, {seller_name}",
        "fr": "Bonjour {buyer_name}, merci pour votre commande {order_number} et votre paiement. Nous expédierons votre commande au plus tard le {ship_date}. Cordialement, {seller_name}",
        "de": "Hallo {buyer_name}, vielen Dank für Ihre Bestellung {order_number} und Ihre Zahlung. Wir versenden Ihre Bestellung spätestens am {ship_date}. Mit freundlichen Grüßen, {seller_name}",
        "pl": "Dzień dobry {buyer_name}, dziękujemy za zamówienie {order_number} i płatność. Wyślemy zamówienie najpóźniej {ship_date}. Pozdrawiamy, {seller_name}",
        "en": "Hello {buyer_name}, thank you for your order {order_number} and your payment. We will ship it by {ship_date}. Kind regards, {seller_name}",
    },
    "shipped": {
        "nl": "Beste {buyer_name}, je bestelling {order_number} is op {ship_date} verzonden. Volg je pakket: {tracking_link}. Met vriendelijke groet, {seller_name}",
        "fr": "Bonjour {buyer_name}, votre commande {order_number} a été expédiée le {ship_date}. Suivez votre colis : {tracking_link}. Cordialement, {seller_name}",
        "de": "Hallo {buyer_name}, Ihre Bestellung {order_number} wurde am {ship_date} versandt. Sendungsverfolgung: {tracking_link}. Mit freundlichen Grüßen, {seller_name}",
        "pl": "Dzień dobry {buyer_name}, zamówienie {order_number} zostało wysłane {ship_date}. Śledzenie przesyłki: {tracking_link}. Pozdrawiamy, {seller_name}",
        "en": "Hello {buyer_name}, your order {order_number} shipped on {ship_date}. Track it here: {tracking_link}. Kind regards, {seller_name}",
    },
    # shipped without tracking: the same message without the tracking sentence
    "shipped_untracked": {
        "nl": "Beste {buyer_name}, je bestelling {order_number} is op {ship_date} verzonden. Met vriendelijke groet, {seller_name}",
        "fr": "Bonjour {buyer_name}, votre commande {order_number} a été expédiée le {ship_date}. Cordialement, {seller_name}",
        "de": "Hallo {buyer_name}, Ihre Bestellung {order_number} wurde am {ship_date} versandt. Mit freundlichen Grüßen, {seller_name}",
        "pl": "Dzień dobry {buyer_name}, zamówienie {order_number} zostało wysłane {ship_date}. Pozdrawiamy, {seller_name}",
        "en": "Hello {buyer_name}, your order {order_number} shipped on {ship_date}. Kind regards, {seller_name}",
    },
    "delivered": {
        "nl": "Beste {buyer_name}, je bestelling {order_number} is bezorgd. Is alles goed aangekomen en ben je tevreden? We horen het graag, en we stellen je beoordeling zeer op prijs. Met vriendelijke groet, {seller_name}",
        "fr": "Bonjour {buyer_name}, votre commande {order_number} a été livrée. Tout est-il bien arrivé et êtes-vous satisfait(e) ? N'hésitez pas à laisser une évaluation. Cordialement, {seller_name}",
        "de": "Hallo {buyer_name}, Ihre Bestellung {order_number} wurde zugestellt. Ist alles gut angekommen und sind Sie zufrieden? Über eine Bewertung freuen wir uns sehr. Mit freundlichen Grüßen, {seller_name}",
        "pl": "Dzień dobry {buyer_name}, zamówienie {order_number} zostało dostarczone. Czy wszystko dotarło w dobrym stanie? Będziemy wdzięczni za wystawienie opinii. Pozdrawiamy, {seller_name}",
        "en": "Hello {buyer_name}, your order {order_number} has been delivered. Did everything arrive safely, and are you happy with it? We would appreciate your feedback. Kind regards, {seller_name}",
    },
    "problem": {
        "nl": "Beste {buyer_name}, er is een probleem met je bestelling {order_number}: {problem}. Onze excuses; we houden je op de hoogte. Met vriendelijke groet, {seller_name}",
        "fr": "Bonjour {buyer_name}, un problème concerne votre commande {order_number} : {problem}. Veuillez nous en excuser ; nous vous tiendrons informé(e). Cordialement, {seller_name}",
        "de": "Hallo {buyer_name}, es gibt ein Problem mit Ihrer Bestellung {order_number}: {problem}. Wir entschuldigen uns und halten Sie auf dem Laufenden. Mit freundlichen Grüßen, {seller_name}",
        "pl": "Dzień dobry {buyer_name}, wystąpił problem z zamówieniem {order_number}: {problem}. Przepraszamy; będziemy informować na bieżąco. Pozdrawiamy, {seller_name}",
        "en": "Hello {buyer_name}, there is a problem with your order {order_number}: {problem}. We apologise and will keep you informed. Kind regards, {seller_name}",
    },
}

PROBLEMS: dict[str, dict[str, str]] = {
    "cancelled": {
        "nl": "de bestelling is geannuleerd",
        "fr": "la commande a été annulée",
        "de": "die Bestellung wurde storniert",
        "pl": "zamówienie zostało anulowane",
        "en": "the order has been cancelled",
    },
    "delayed": {
        "nl": "de verzending is vertraagd; nieuwe verzenddatum {ship_date}",
        "fr": "l'expédition est retardée ; nouvelle date d'expédition {ship_date}",
        "de": "der Versand verzögert sich; neues Versanddatum {ship_date}",
        "pl": "wysyłka jest opóźniona; nowa data wysyłki {ship_date}",
        "en": "shipping is delayed; new ship date {ship_date}",
    },
}
