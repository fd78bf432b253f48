"""Multilingual boilerplate phrasings: one signal among several, never the whole decision.

Phrases are matched on a normalized line (lowercase, punctuation to spaces, digit runs to
"0") at word boundaries. STRONG phrases are specific enough to mark a block of up to
``STRONG_MAX_WORDS`` words; WEAK phrases only mark short or non-sentence blocks; EXACT
lines mark a block only when they are the whole block.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import re2

from .blocks import Page, canonical

_NONWORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")


def normalize(text: str) -> str:
    """Lowercase, punctuation to single spaces, digit runs to 0, trimmed."""
    return _DIGITS.sub("0", _NONWORD.sub(" ", text.lower())).strip()


STRONG_MAX_WORDS = 45
WEAK_MAX_WORDS = 14

STRONG: dict[str, list[str]] = {
    "paywall": [
        # en
        "sign up to read", "sign in to read", "log in to read", "sign in to continue",
        "log in to continue", "register to continue", "register to read", "subscribe to read",
        "subscribe to continue", "to continue reading", "continue reading with",
        "already a member", "already a subscriber", "already have an account",
        "already registered", "this article is for subscribers", "for subscribers only",
        "subscribers only", "subscriber only", "exclusive to subscribers",
        "this content is for members", "members only", "unlock this article",
        "unlock this story", "unlock unlimited", "become a member", "become a subscriber",
        "create a free account", "create an account to", "you have reached your",
        "you ve reached your", "free articles remaining", "article limit",
        "get unlimited access", "unlimited digital access",
        "premium article", "premium content", "start your free trial", "start free trial",
        # de
        "jetzt abonnieren", "jetzt abo", "bereits abonnent", "schon abonnent",
        "bereits registriert", "zum weiterlesen", "weiterlesen mit",
        "jetzt weiterlesen", "registrieren und weiterlesen", "anmelden und weiterlesen",
        "um weiterzulesen", "nur für abonnenten", "exklusiv für abonnenten", "plus artikel",
        "abo abschließen", "jetzt testen", "gratis testen", "kostenlos testen",
        "unbegrenzten zugang", "zugang zu allen artikeln", "jetzt freischalten",
        "artikel freischalten", "melden sie sich an um",
        "kostenlos registrieren", "konto erstellen",
        # es
        "ya eres suscriptor", "ya soy suscriptor", "ya tienes cuenta", "ya tienes una cuenta",
        "inicia sesión para", "regístrate para", "para seguir leyendo", "para continuar leyendo",
        "exclusivo para suscriptores", "solo para suscriptores", "suscríbete para",
        "hazte socio", "contenido exclusivo",
        # fr
        "déjà abonné", "réservé aux abonnés", "article réservé", "pour lire la suite",
        "abonnez vous pour", "connectez vous pour", "vous avez déjà un compte",
        "offre d abonnement", "il vous reste 0",
        # pl
        "masz już konto", "wykup dostęp", "wykup subskrypcję", "zaloguj się aby",
        "tylko dla subskrybentów", "dostęp premium",
        # pt
        "já é assinante", "já sou assinante", "exclusivo para assinantes",
        "para continuar lendo", "faça login para", "assine para",
        # it
        "sei già abbonato", "già abbonato", "riservato agli abbonati", "per continuare a leggere",
        "accedi per leggere", "abbonati per",
    ],
    "promo": [
        # en
        "sign up for our", "sign up for the", "newsletter", "newsletters", "subscribe to our",
        "delivered to your inbox", "straight to your inbox", "in your inbox",
        "download the app", "download our app", "get the app", "on the app store",
        "follow us on", "like us on facebook",
        "limited time offer", "subscribe now", "sign up now",
        # ad-slot labels left in article bodies
        "story continues below advertisement", "article continues below advertisement",
        "continue reading below", "continue reading the main story",
        "sign up today", "sponsored content", "paid content",
        "partner content",
        # reader-engagement prompts under news articles
        "tell us what you think", "share your thoughts with us",
        # de
        "schreiben sie einen leserbrief",
        "newsletter abonnieren", "zum newsletter", "jetzt anmelden", "jetzt herunterladen",
        "app herunterladen", "laden sie die app", "folgen sie uns", "folge uns",
        "gesponsert", "sonderangebot",
        # es
        "suscríbete a nuestro", "suscríbete al", "descarga la app",
        "descarga nuestra app", "síguenos en", "patrocinado",
        # fr
        "lettre d information", "inscrivez vous", "abonnez vous à", "téléchargez l application",
        "suivez nous", "contenu sponsorisé", "sponsorisé",
        # pl
        "zapisz się do newslettera", "pobierz aplikację", "obserwuj nas",
        # pt
        "inscreva se", "baixe o app", "baixe o aplicativo", "siga nos",
        "conteúdo patrocinado",
        # it
        "iscriviti alla", "scarica l app", "seguici su", "sponsorizzato",
    ],
    "comments": [
        # en
        "leave a comment", "leave a reply", "post a comment", "add a comment",
        "write a comment", "add comment", "post comment", "no comments", "0 comments",
        "0 comment", "comments are closed", "comments closed", "view comments",
        "show comments", "load comments", "join the conversation", "join the discussion",
        "be the first to comment", "log in to comment", "sign in to comment",
        "comment policy", "report abuse", "your email address will not be published",
        "required fields are marked", "cancel reply", "notify me of",
        "comments are moderated", "comments will be moderated",
        # de
        "kommentar schreiben", "kommentar verfassen", "kommentar hinzufügen",
        "kommentare anzeigen", "keine kommentare", "0 kommentare", "0 kommentar",
        "diskutieren sie mit", "leserkommentare", "ihre meinung ist gefragt",
        "kommentare lesen",
        "kommentarfunktion", "schreiben sie einen kommentar",
        "ihre e mail adresse wird nicht veröffentlicht", "kommentare werden moderiert",
        # WordPress's comment form in its translations (en above): the most common form.
        "schreibe einen kommentar", "deine e mail adresse wird nicht veröffentlicht",
        "erforderliche felder sind mit", "antworten abbrechen",
        "deja una respuesta", "los campos obligatorios están marcados con",
        "cancelar respuesta", "laisser une réponse",
        "les champs obligatoires sont indiqués avec", "annuler la réponse",
        "lascia una risposta", "il tuo indirizzo email non sarà pubblicato",
        "i campi obbligatori sono contrassegnati", "annulla risposta",
        "deixe uma resposta", "o seu endereço de email não será publicado",
        "campos obrigatórios são marcados com", "cancelar resposta",
        "geef een reactie", "laat een reactie achter", "je e mailadres wordt niet gepubliceerd",
        "vereiste velden zijn gemarkeerd met", "reactie annuleren",
        "twój adres e mail nie zostanie opublikowany", "wymagane pola są oznaczone",
        "anuluj pisanie odpowiedzi",
        # es
        "deja un comentario", "dejar un comentario", "publicar un comentario",
        "escribe un comentario", "no hay comentarios", "0 comentarios", "0 comentario",
        "añadir comentario", "tu dirección de correo electrónico no será publicada",
        "los comentarios son moderados",
        # fr
        "laisser un commentaire", "ajouter un commentaire", "écrire un commentaire",
        "aucun commentaire", "0 commentaires", "0 commentaire", "réagir à cet article",
        "votre adresse e mail ne sera pas publiée", "les commentaires sont modérés",
        # pl
        "dodaj komentarz", "napisz komentarz", "brak komentarzy", "0 komentarzy",
        "0 komentarze", "0 komentarz", "komentarze są moderowane",
        # pt
        "deixe um comentário", "deixe seu comentário", "nenhum comentário", "sem comentários",
        "0 comentários", "os comentários são moderados",
        # it
        "lascia un commento", "nessun commento", "0 commenti", "scrivi un commento",
        "i commenti sono moderati",
    ],
    "related": [
        # en
        "related stories", "related articles", "related article", "related posts",
        "related post", "related content", "related coverage", "related topics",
        "related news", "related links", "related reading", "read more", "keep reading",
        "continue reading", "see also", "you may also like", "you might also like",
        "you may be interested", "recommended for you", "recommended stories",
        "trending now",
        "top stories", "editor s picks", "editors picks",
        "more like this", "also read", "don t miss", "what to read next",
        "previous post", "next post", "previous article",
        "next article", "older posts", "newer posts",
        # de
        "mehr zum thema", "auch interessant", "das könnte sie auch interessieren",
        "das könnte sie interessieren", "weitere artikel", "lesen sie auch", "lesen sie mehr",
        "verwandte artikel", "ähnliche artikel", "ähnliche beiträge", "meistgelesen",
        "meist gelesen", "nächster artikel", "vorheriger artikel",
        "empfohlene artikel", "auch lesenswert",
        "ältere beiträge", "neuere beiträge", "vorheriger beitrag", "nächster beitrag",
        # es
        "noticias relacionadas", "artículos relacionados", "lee también", "leer más",
        "te puede interesar", "te puede gustar", "más leídas", "lo más leído",
        "entrada anterior", "entrada siguiente", "entradas relacionadas",
        "sigue leyendo", "también te puede interesar",
        # fr
        "articles similaires", "article similaire", "à lire aussi", "lire aussi",
        "lire la suite", "sur le même sujet", "sur le même thème", "les plus lus",
        "vous aimerez aussi", "article précédent", "article suivant", "voir aussi",
        "à voir aussi", "dans la même rubrique",
        # pl
        "czytaj też", "czytaj także", "czytaj więcej", "czytaj również", "zobacz też",
        "zobacz także", "zobacz również", "najczęściej czytane", "powiązane artykuły",
        "następny artykuł", "poprzedni artykuł", "polecane artykuły",
        # pt
        "leia também", "leia mais", "notícias relacionadas", "veja também", "mais lidas",
        "artigos relacionados", "continue lendo",
        # it
        "leggi anche", "leggi di più", "articoli correlati", "potrebbe interessarti",
        "i più letti", "vedi anche", "continua a leggere",
    ],
    "share": [
        "share this", "share on", "share via", "share article", "share this article",
        "share this story", "share the story", "email to a friend", "copy link",
        "opens in new window", "like loading",  # WordPress share and like buttons
        "print this", "artikel teilen", "beitrag teilen", "seite drucken",
        "per e mail versenden", "per e mail verschicken", "per mail versenden",
        "link kopieren", "compartir en", "enviar por correo", "partager sur",
        "partager cet article", "envoyer par e mail", "udostępnij", "compartilhe",
        "condividi su", "diese seite drucken",
    ],
    "site": [
        "all rights reserved", "alle rechte vorbehalten", "todos los derechos reservados",
        "tous droits réservés", "wszelkie prawa zastrzeżone", "todos os direitos reservados",
        "tutti i diritti riservati", "privacy policy", "cookie policy", "terms of use",
        "terms of service", "terms and conditions", "cookie settings", "manage cookies",
        "we use cookies", "this site uses cookies", "this website uses cookies",
        "datenschutzerklärung", "cookie einstellungen", "verwendet cookies", "nutzt cookies",
        "política de privacidad", "política de cookies", "aviso legal",
        "politique de confidentialité", "mentions légales", "utilise des cookies",
        "polityka prywatności", "política de privacidade", "informativa sulla privacy",
        "proudly powered",
        # consent banners
        "cookie consent", "manage consent", "consent preferences", "we use cookies and",
        "zustimmung verwalten", "einwilligung verwalten", "cookie zustimmung",
        "cookie einwilligung", "wir verwenden cookies", "wir nutzen cookies",
        "gestionar el consentimiento", "utilizamos cookies", "usamos cookies",
        "gérer le consentement", "nous utilisons des cookies", "ce site utilise des cookies",
        "gestisci il consenso", "utilizziamo i cookie", "questo sito utilizza cookie",
        "zarządzaj zgodą", "używamy plików cookie", "ta strona używa plików cookie",
        "gerenciar consentimento", "este site utiliza cookies", "utilizamos cookies para",
    ],
    "caption": [
        "getty images",
        "shutterstock", "istock", "istockphoto", "picture alliance", "bildquelle",
        "photo credit", "image credit", "credit photo", "crédit photo", "crédits photo",
        "click to enlarge", "tap to enlarge", "zum vergrößern",
        "bild vergrößern", "open gallery", "view gallery", "bildergalerie",
    ],
    "media": [
        "watch video", "watch now", "watch live", "play video", "related video",
        "media playback is unsupported", "scroll down for video",
        "now playing", "up next", "video player", "listen to this article",
        "listen to article", "audio player", "video abspielen", "video ansehen",
        "jetzt ansehen", "ver vídeo", "ver video", "regarder la vidéo", "guarda il video",
        "0 min read", "0 minute read", "0 min listen", "0 min lesezeit",
        "lesezeit 0 min", "lesedauer 0 min", "0 min de lectura", "0 min de lecture",
    ],
}  # fmt: skip

# Multi-word phrasings only decisive on short, non-sentence blocks.
WEAK: dict[str, list[str]] = {
    "comments": [
        "comments 0", "kommentare 0", "comentarios 0", "commentaires 0", "komentarze 0",
        "commenti 0", "show replies", "view replies", "load more comments",
        "alle kommentare", "todos los comentarios", "tous les commentaires",
    ],
    "related": [
        "more on", "more about", "also on", "more from", "latest news", "latest stories",
        "most read", "most popular", "most viewed", "most shared", "more stories",
        "more news", "zum thema", "mehr aus", "weitere themen", "weitere nachrichten",
        "más sobre", "más noticias", "plus d articles", "à lire", "dans la rubrique",
        "popular now", "trending stories", "weitere beiträge", "neueste beiträge",
        "recent posts", "popular posts", "entradas recientes", "articles récents",
    ],
    "share": [
        "share this page", "teilen sie", "auf facebook teilen", "auf twitter teilen",
        "per whatsapp", "send by email", "send to a friend",
    ],
    "navigation": [
        "skip to content", "skip to main content", "skip navigation", "jump to", "main menu",
        "back to top", "toggle navigation", "you are here", "open menu", "sign in", "log in",
        "sign out", "log out", "my account", "zum inhalt springen", "navigation überspringen",
        "zur navigation", "nach oben", "sie sind hier", "mein konto", "ir al contenido",
        "volver arriba", "iniciar sesión", "aller au contenu", "retour en haut",
        "se connecter", "mon compte", "przejdź do treści", "strona główna",
        "ir para o conteúdo", "página inicial", "vai al contenuto", "zurück zur",
        "back to", "go to", "zur startseite", "alle themen", "all topics", "all sections",
    ],
    "site": [
        "contact us", "about us", "über uns", "quiénes somos", "qui sommes nous",
        "chi siamo", "site map", "plan du site", "powered by", "advertise with us",
        "privacy settings", "privacy notice", "cookie preferences", "do not sell",
        "nous contacter", "fale conosco", "sobre nosotros", "a propos",
    ],
    "caption": [
        "associated press", "ap photo", "afp photo", "file photo", "foto archivo",
        "photo by", "photograph by", "image by", "picture by", "foto von", "bild von",
        "photo de", "foto de", "foto di", "courtesy of", "mit freundlicher genehmigung",
    ],
    "media": [
        "video duration", "watch the video", "listen now", "listen to the podcast",
    ],
    "promo": [
        "google play", "app store", "free trial", "special offer", "advertise with us",
        "subscribe to",
        "shop now", "buy now", "jetzt kaufen", "comprar ahora", "acheter maintenant",
    ],
}  # fmt: skip

# Single words that mark a block only when they make up all of it ("Share Tweet Email").
WORDS: dict[str, list[str]] = {
    "comments": [
        "comments", "comment", "reply", "replies", "kommentare", "kommentar", "antworten",
        "kommentieren", "comentarios", "comentario", "responder", "commentaires",
        "commentaire", "répondre", "réagir", "komentarze", "komentarz", "odpowiedz",
        "comentários", "comentar", "commenti", "commenta", "rispondi", "discussion",
        "diskussion", "leserbriefe",
    ],
    "related": [
        "related", "recommended", "trending", "popular", "empfohlen", "empfehlungen",
        "relacionado", "relacionados", "relacionadas", "polecamy", "correlati", "themen",
        "more", "mehr", "weiterlesen", "previous", "next", "older", "newer", "zurück",
        "weiter", "vorherige", "nächste", "anterior", "siguiente", "précédent", "suivant",
        "poprzedni", "następny", "próximo", "successivo", "precedente",
    ],
    "share": [
        "share", "shares", "tweet", "whatsapp", "facebook", "twitter", "x", "linkedin",
        "pinterest", "reddit", "telegram", "xing", "flipboard", "email", "mail", "e mail",
        "print", "teilen", "drucken", "compartir", "imprimir", "partager", "imprimer",
        "condividi", "stampa", "partilhar", "compartilhar", "drukuj", "udostępnij",
        "messenger", "copy", "link", "instagram", "youtube", "tiktok", "rss", "feed",
    ],
    "navigation": [
        "menu", "home", "homepage", "search", "sections", "close", "login", "register",
        "subscribe", "startseite", "suche", "suchen", "menü", "zurück", "schließen",
        "anmelden", "abmelden", "registrieren", "inicio", "buscar", "menú", "cerrar",
        "accueil", "rechercher", "fermer", "connexion", "szukaj", "zaloguj", "pesquisar",
        "entrar", "cerca", "accedi", "navigation", "navigación", "nawigacja", "top",
        "news", "nachrichten", "noticias", "actualités", "wiadomości", "notícias", "notizie",
        "sport", "sports", "politik", "politics", "wirtschaft", "business", "kultur",
        "culture", "opinion", "meinung", "weather", "wetter", "tech", "science", "health",
        "world", "welt", "local", "lokales", "regional", "panorama",
    ],
    "site": [
        "copyright", "imprint", "impressum", "datenschutz", "privacy", "cookies", "terms",
        "contact", "kontakt", "contacto", "contato", "contatti", "sitemap", "accessibility",
        "careers", "jobs", "advertise", "agb", "mediadaten", "barrierefreiheit",
        "nutzungsbedingungen", "regulamin", "faq", "hilfe", "help", "ayuda", "aide",
        "about", "legal", "newsletter", "rss", "archive", "archiv",
    ],
    "caption": [
        "photo", "photos", "foto", "fotos", "bild", "bilder", "image", "images", "imagen",
        "imagem", "zdjęcie", "fot", "credit", "credits", "quelle", "fuente", "source",
        "źródło", "reuters", "afp", "dpa", "epa", "efe", "ap", "ansa", "pap", "imago",
        "keystone", "gallery", "galerie", "galería", "illustration", "getty", "ddp",
        "picture", "alliance", "archivbild", "symbolbild", "screenshot",
    ],
    "media": [
        "video", "videos", "vídeo", "vidéo", "wideo", "audio", "podcast", "listen", "watch",
        "play", "anhören",
        "hören", "escuchar", "écouter", "ascolta", "posłuchaj", "assista", "live",
        "livestream", "replay", "pause", "mute",
    ],
    "promo": [
        "ad", "ads", "anzeige", "werbung", "promo", "promoted", "sponsored", "partner",
        "shop", "deals", "offers", "advertisement", "publicidad", "publicité", "reklama",
        "publicidade", "pubblicità", "gesponsert", "sponsorisé", "patrocinado",
    ],
}  # fmt: skip


def _trie_pattern(phrases: Iterable[str]) -> str:
    """Regex source matching any of the (normalized) phrases, shaped as a trie so sre tests
    each position cheaply. Spaces match " +" and "0" matches "0+" (page-normalized text
    keeps runs of both)."""
    trie: dict[str, dict] = {}
    for p in phrases:
        node = trie
        for ch in p:
            node = node.setdefault(ch, {})
        node[""] = {}

    def esc(ch: str) -> str:
        return " +" if ch == " " else "0+" if ch == "0" else re.escape(ch)

    def emit(node: dict[str, dict]) -> str:
        alts = []
        end = False
        for ch in sorted(node):
            if ch == "":
                end = True
                continue
            alts.append(esc(ch) + emit(node[ch]))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if end else body

    return emit(trie)


def _trie_source(phrases: Iterable[str]) -> str:
    """Matches " phrase " (a space on both sides) on page-normalized text."""
    return " " + _trie_pattern(normalize(p) + " " for p in phrases)


def _trie_regex(phrases: Iterable[str]) -> re.Pattern[str]:
    return re.compile(_trie_source(phrases))


def _page_regex(source: str) -> Any:
    """A whole-page pass on RE2 (google-re2), over the UTF-8 of the joined lines: its DFA
    reads each byte once however many phrases there are, where sre tries the phrase trie
    at every word (three times the time on the devdata captures). The sources are plain
    tries and alternations, on which both engines find the same leftmost-first matches
    (tests/test_cleaner_engines.py holds them to it). RE2's default memory budget (8 MB)
    is as fast here as a larger one, even on a 5 MB page."""
    return re2.compile(source.encode())


def _line_matches(regex: Any, text: bytes) -> Iterator[tuple[int, Any]]:
    """(line number, match) for each match of ``regex`` in newline-joined ``text``."""
    k, pos = 0, 0
    count_nl = text.count
    for m in regex.finditer(text):
        start = m.start()
        k += count_nl(b"\n", pos, start)
        pos = start
        yield k, m


def _index(table: dict[str, list[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for cat, phrases in table.items():
        for p in phrases:
            out.setdefault(normalize(p), cat)
    return out


_STRONG_CAT = _index(STRONG)
_WEAK_CAT = _index(WEAK)
_WORD_CAT = _index(WORDS)
_STRONG_RE = _trie_regex(_STRONG_CAT)
_WEAK_RE = _trie_regex(_WEAK_CAT)
# Strong and weak phrases in one regex, for a single pass over a page.
_PHRASE_KIND = {**{p: (False, c) for p, c in _WEAK_CAT.items()},
                **{p: (True, c) for p, c in _STRONG_CAT.items()}}  # fmt: skip
# RE2 jumps between occurrences of a literal first byte with memchr, which on normalized
# text (a space every few bytes) is slower than staying on its DFA: a class opens the
# pattern instead (no tab survives normalization), and the pass takes 4 ms, not 6.
PHRASE_SOURCE = r"[ \t]" + _trie_source(_PHRASE_KIND)[1:]
_PHRASE_PAGE = _page_regex(PHRASE_SOURCE)
WORD_TOKENS = frozenset(_WORD_CAT)
# A line made only of boilerplate words ("Share Tweet Email"), on page-normalized text.
_WORD_ALT = _trie_pattern(w + " " for w in WORD_TOKENS if " " not in w)
# On the text ``page_phrases`` scans, where each line is " norm " (so one text serves both).
WORDS_LINE_SOURCE = rf"(?m)^ (?:{_WORD_ALT})+$"
_WORDS_LINE_PAGE = _page_regex(WORDS_LINE_SOURCE)
# Whole-line lookup, in the order the rules consult the tables.
_EXACT_CAT = {**_WORD_CAT, **_WEAK_CAT, **_STRONG_CAT}
EXACT_GET = _EXACT_CAT.get  # for C-level ``map`` over a page's canonical lines


def strong_match(norm: str) -> str | None:
    """Category of the first strong phrase in a normalized line, if any."""
    m = _STRONG_RE.search(" " + norm + " ")
    return _STRONG_CAT[canonical(m.group().strip())] if m else None


def weak_match(norm: str) -> str | None:
    """Category of the first weak phrase in a normalized line, if any."""
    m = _WEAK_RE.search(" " + norm + " ")
    return _WEAK_CAT[canonical(m.group().strip())] if m else None


def exact_match(norm: str) -> str | None:
    """Category when the whole (canonical) line is one known phrase or word."""
    return _EXACT_CAT.get(norm)


def words_match(tokens: list[str]) -> str | None:
    """Category when every token of a short line is a boilerplate word ("Share Tweet Email")."""
    if tokens and WORD_TOKENS.issuperset(tokens):
        return _WORD_CAT[tokens[0]]
    return None


def word_category(token: str) -> str:
    return _WORD_CAT[token]


def page_phrases(page: Page) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """First strong and first weak phrase category of every line of 2 to STRONG_MAX_WORDS
    words, and the category of those made only of boilerplate words: two regex passes
    over just those lines, joined once."""
    norms = page.norms
    idx = [i for i, n in enumerate(page.n_words) if n <= STRONG_MAX_WORDS and " " in norms[i]]
    strong: dict[int, str] = {}
    weak: dict[int, str] = {}
    if not idx:
        return strong, weak, {}
    text = (" " + " \n ".join(map(norms.__getitem__, idx)) + " ").encode()
    kinds = _PHRASE_KIND
    for k, m in _line_matches(_PHRASE_PAGE, text):
        i = idx[k]
        is_strong, cat = kinds[canonical(m.group().decode().strip())]
        table = strong if is_strong else weak
        if i not in table:
            table[i] = cat
    words: dict[int, str] = {}
    for k, _ in _line_matches(_WORDS_LINE_PAGE, text):
        i = idx[k]
        words[i] = _WORD_CAT[norms[i].split(" ", 1)[0]]
    return strong, weak, words
