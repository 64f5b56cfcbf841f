"""Invitations to deal outside the platform (docs/moderation.md) that name no address or number:
"let's settle this outside the platform", "order directly from our own site", "send me your
phone number"."""

from __future__ import annotations

from servicenorm.moderation.vocab import PhraseSet, negated_before

_PLATFORM = r"(?:het\s+platform|de\s+site|bol(?:\.com)?|marktplaats|ebay|etsy|swopify|the\s+platform|platform|the\s+site|marketplace)"
_OWN = r"(?:bol|ebay|etsy|swopify|deze|dit|het|de|this|the|our|ce|cette|la|le|notre|dies|der|die|das|unser|tej|tym|naszej)\b"
_BUYER_DETAILS = {
    "nl": r"(?:je|jouw|uw)\s+(?:telefoonnummer|mobiele\s+nummer|nummer|06(?:-nummer)?|gsm(?:-?nummer)?|e-?mail(?:adres)?|mailadres|whatsapp)",
    "en": r"(?:your)\s+(?:(?:phone|mobile|cell|whatsapp)\s+)?(?:number|e-?mail(?:\s+address)?|whatsapp)",
    "fr": r"(?:votre|ton|ta)\s+(?:numero(?:\s+de\s+(?:portable|telephone))?|portable|mail|e-mail|adresse\s+(?:e-)?mail|whatsapp)",
    "de": r"(?:deine|ihre|dein|ihr)\s+(?:e-?mail(?:-?adresse)?|handynummer|telefonnummer|nummer|handy)",
    "pl": r"(?:swoj|twoj|pana|pani)\w*\s+(?:numer(?:\s+telefonu)?|mail|e-?mail|adres\s+e-?mail)",
}
_PHRASES = PhraseSet(
    [
        # nl
        r"buiten\s+" + _PLATFORM + r"(?:\s+om)?",
        r"(?:direct|rechtstreeks)\s+bij\s+(?:ons|mij)\s+(?:bestel|kop|koop|afreken)\w*",
        r"(?:bestel|koop)\w*\s+(?:direct|rechtstreeks)\s+bij\s+(?:ons|mij)",
        r"(?:bestelt|koopt)\s+(?:direct\s+|rechtstreeks\s+)?bij\s+ons\s+via",
        r"onze\s+eigen\s+(?:web)?(?:site|shop|winkel|webwinkel)",
        r"rechtstreeks\s+(?:contact|afrekenen|afreken)",
        r"zoek\s+ons\s+op\s+google",
        r"(?:stuur|geef|mail|app|sms)\w*\s+(?:me|mij|ons)\s+" + _BUYER_DETAILS["nl"],
        r"wat\s+is\s+" + _BUYER_DETAILS["nl"],
        r"laat\s+(?:me\s+|mij\s+|ons\s+)?" + _BUYER_DETAILS["nl"] + r"\s+(?:achter|weten)",
        r"rechtstreeks\s+met\s+(?:je|jou|u)\b",
        # en
        r"outside\s+(?:of\s+)?" + _PLATFORM,
        r"off[\s-](?:the\s+)?(?:platform|site|ebay|etsy)",
        r"our\s+own\s+(?:web)?(?:site|shop|store)",
        r"(?:order|buy)\s+(?:it\s+)?(?:directly\s+)?from\s+(?:us|me)\s+directly",
        r"(?:send|give|text|tell|drop|leave|share|post)\s+(?:me\s+|us\s+)?" + _BUYER_DETAILS["en"],
        r"(?:whats|what's)\s+" + _BUYER_DETAILS["en"],
        r"what\s+is\s+" + _BUYER_DETAILS["en"],
        r"search\s+(?:for\s+)?(?:us|me)\s+on\s+google",
        # fr
        r"en\s+dehors\s+de\s+la\s+plate-?forme",
        r"hors\s+(?:de\s+la\s+)?plate-?forme",
        r"sans\s+passer\s+par\s+(?:la\s+plate-?forme|le\s+site)",
        r"directement\s+(?:par|sur|chez|via)\s+(?:notre|nous|moi)",
        r"notre\s+(?:propre\s+)?(?:site|boutique)\s+(?:web|en\s+ligne|internet)",
        r"(?:donnez|envoyez|communiquez|laissez|donne|envoie)[-\s]?(?:moi|nous)\s+"
        + _BUYER_DETAILS["fr"],
        # de
        r"au(?:ß|ss)erhalb\s+(?:der|dieser)\s+plattform",
        r"au(?:ß|ss)erhalb\s+von\s+(?:ebay|etsy|bol|swopify)",
        r"ohne\s+(?:die\s+)?plattform",
        r"direkt\s+(?:bei\s+uns|in\s+unserem\s+(?:online)?shop|uber\s+unsere\s+(?:seite|website|homepage))",
        r"unser(?:em|en)?\s+eigenen?\s+(?:online-?)?(?:shop|seite|website)",
        r"(?:schick|gib|geben|sende|nenn|schreib|hinterlass)\w*\s+(?:sie\s+)?(?:mir|uns)\s+(?:sie\s+)?"
        + _BUYER_DETAILS["de"],
        # pl
        r"poza\s+(?:platforma|serwisem|allegro|portalem)",
        r"bezposrednio\s+u\s+(?:nas|mnie)",
        r"(?:wlasny|nasz)\s+sklep\s+internetowy",
        r"(?:wyslij|podaj|daj|przeslij|zostaw)\s+(?:mi\s+)?" + _BUYER_DETAILS["pl"],
        r"bezposrednio\s+z\s+(?:toba|panem|pania)",
        # "find us on Marktplaats / Vinted / Google": another place to buy or to reach the seller
        r"(?:vind|vindt|zoek|find|search|trouvez|retrouvez|cherchez|finden|finde|suchen|suche|znajdziesz|znajdz|szukaj)"
        r"\w*\s+(?:je\s+|jij\s+|u\s+|sie\s+)?(?:ons|us|me|mij|nous|moi|uns|mich|nas|mnie)\s+(?:ook\s+|also\s+|aussi\s+|auch\s+|tez\s+)?"
        r"(?:op|on|sur|auf|bei|na|w)\s+(?!" + _OWN + r")[a-z]{3,}",
    ]
)


def find_offplatform(text: str) -> list[tuple[int, int]]:
    """Spans of invitations to deal outside the platform in a folded text."""
    return [(s, e) for s, e in _PHRASES.finditer(text) if not negated_before(text, s)]
