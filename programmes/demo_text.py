"""The words of synthetic demo records: a child-online-protection vocabulary with realistic frequencies.

A few words are in most records, many in some, a rare tail in few, so search has common, rare and multi-word terms
to work on; ``TextWriter`` turns them into titles, summaries and bodies (Markdown and its HTML), from a seed.
"""

import html
import itertools
import random
import re
from collections.abc import Sequence

# Every demo title starts with this, one of the three marks of a demo record (see ``programmes.demo_data``).
TITLE_PREFIX = "[Demo] "

# ---- vocabulary ------------------------------------------------------------------------------------------------

FUNCTION_WORDS = (  # noqa: SIM905 - a word list reads better as one string
    "the of and to in for on with by as at from that which their its is are was were be has have will can "
    "should may this these an a or into through across between within under while also more most all each "
    "other such both not only where when how"
).split()

FUNCTION_SET = frozenset(FUNCTION_WORDS)

GENERAL_WORDS = (  # noqa: SIM905
    "national regional global local government ministry policy strategy framework programme capacity training "
    "guidance evaluation assessment research survey data evidence report review standards services support "
    "response prevention awareness campaign partnership coordination implementation monitoring legislation law "
    "regulation enforcement justice police prosecution courts schools teachers parents caregivers families "
    "communities adolescents young people girls boys users providers industry companies technology mobile "
    "devices access rights participation security victims survivors referral case management social workforce "
    "health education curriculum module toolkit workshop consultation pilot budget funding donor agency network "
    "alliance commitment target indicator baseline outcome impact lessons practice model approach mechanism "
    "system tool resource information communication media infrastructure connectivity inclusion gender "
    "disability vulnerable marginalised rural urban international cooperation jurisdiction sector officials "
    "practitioners professionals frontline services quality coverage access plan action priority findings "
    "recommendations partners stakeholders civil society volunteers counsellors psychologists judges "
    "investigators analysts engineers designers researchers students households caregiving advocacy dialogue "
    "principles obligations duties accountability oversight transparency governance procurement evidence-based "
    "multi-sectoral cross-border community-based school-based scaling sustainability financing learning"
).split()

# Child-online-protection terms, most frequent first: each draws with weight (rank + 1) ** -1.5, so at about 230
# words a record the first few are in nearly every record, "grooming" in about a quarter, "helpline" in one in six,
# "sextortion" in a few per cent and the last in about two per cent. Multi-word terms are drawn as one unit, so
# phrase searches ("age verification") have true hits.
DOMAIN_TERMS = (
    "online",
    "child",
    "children",
    "protection",
    "safety",
    "internet",
    "digital",
    "abuse",
    "platforms",
    "social media",
    "risk",
    "harm",
    "reporting",
    "violence",
    "exploitation",
    "privacy",
    "content",
    "wellbeing",
    "online safety",
    "grooming",
    "child protection",
    "moderation",
    "data protection",
    "cyberbullying",
    "digital literacy",
    "harassment",
    "parental consent",
    "age verification",
    "safeguarding",
    "helpline",
    "messaging apps",
    "gaming",
    "hotline",
    "parental controls",
    "media literacy",
    "mental health",
    "sexual exploitation",
    "trafficking",
    "self-harm",
    "hate speech",
    "misinformation",
    "screen time",
    "child sexual abuse material",
    "safety by design",
    "livestreaming",
    "notice and takedown",
    "takedown",
    "age assurance",
    "encryption",
    "end-to-end encryption",
    "victim identification",
    "deepfakes",
    "image-based abuse",
    "sexting",
    "duty of care",
    "best interests of the child",
    "mandatory reporting",
    "trust and safety",
    "terms of service",
    "transparency reporting",
    "risk assessment",
    "recommender systems",
    "algorithms",
    "profiling",
    "targeted advertising",
    "sextortion",
    "default settings",
    "age-appropriate design",
    "geolocation",
    "webcam",
    "live chat",
    "chat rooms",
    "peer-to-peer",
    "dark web",
    "financial extortion",
    "blackmail",
    "disclosure",
    "forensic interviewing",
    "offender management",
    "bystander",
    "peer support",
    "youth panels",
    "child participation",
    "consent",
    "resilience",
    "disinformation",
    "hash matching",
    "safer internet",
    "child helpline",
    "therapeutic support",
    "online gaming",
    "influencers",
    "in-app purchases",
    "loot boxes",
    "dark patterns",
    "cyber tipline",
    "digital citizenship",
)

# Words real documents use rarely: each lands in well under one record in a hundred.
RARE_TERMS = (
    "ombudsperson",
    "extraterritorial",
    "geofencing",
    "steganography",
    "nudification",
    "voice cloning",
    "metaverse",
    "chatbots",
    "sublicensing",
    "cryptocurrency",
)

# Shares of all drawn words: function words, general policy words, domain terms, rare terms.
WORD_MIX = (0.38, 0.46, 0.1595, 0.0005)

TOPIC_TAGS = (
    "grooming",
    "sextortion",
    "age verification",
    "helplines",
    "content moderation",
    "digital literacy",
    "cyberbullying",
    "parental consent",
    "livestreaming",
    "reporting",
    "online safety",
    "data protection",
)

HEADINGS = ("Background", "Approach", "Results", "Lessons learned", "Next steps", "Context", "Method")
PLACES = (
    "Geneva",
    "Nairobi",
    "Bangkok",
    "Kampala",
    "São Paulo",
    "Manila",
    "Lima",
    "Tunis",
    "Tbilisi",
    "Amman",
    "Dakar",
    "Jakarta",
    "Online",
)
MINOR_TITLE_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}


def _zipf(count: int, offset: float = 2.0, exponent: float = 1.0) -> list[float]:
    return [(rank + offset) ** -exponent for rank in range(1, count + 1)]


def _population() -> tuple[list[str], list[float], list[str], list[float]]:
    """Every word with its cumulative weight, for one ``choices`` call per sentence, and the domain terms alone."""
    parts = (
        (FUNCTION_WORDS, _zipf(len(FUNCTION_WORDS), 1.0)),
        (GENERAL_WORDS, _zipf(len(GENERAL_WORDS), 5.0)),
        (DOMAIN_TERMS, _zipf(len(DOMAIN_TERMS), 1.0, 1.5)),
        (RARE_TERMS, [1.0] * len(RARE_TERMS)),
    )
    words: list[str] = []
    weights: list[float] = []
    for (part, part_weights), share in zip(parts, WORD_MIX, strict=True):
        total = sum(part_weights)
        words.extend(part)
        weights.extend(weight / total * share for weight in part_weights)
    domain_weights = _zipf(len(DOMAIN_TERMS))
    return words, list(itertools.accumulate(weights)), list(DOMAIN_TERMS), list(itertools.accumulate(domain_weights))


class TextWriter:
    """Titles, summaries and Markdown bodies (with their HTML) from the vocabulary, driven by one seeded RNG."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words, self.cum_weights, self.domain, self.domain_cum = _population()

    def _draw(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum_weights, k=count)

    def _domain(self, count: int) -> list[str]:
        return self.rng.choices(self.domain, cum_weights=self.domain_cum, k=count)

    def title(self, place: str = "") -> str:
        """5 to 12 words (after the prefix), title case, mostly domain terms joined by general words."""
        target = self.rng.randint(5, 12)
        tail = ["in", *place.split()] if place and target >= 7 else []
        words: list[str] = []
        while len(words) < target - len(tail):
            kind = self.rng.random()
            if kind < 0.45:
                token = self._domain(1)[0]
            elif kind < 0.85 or not words:
                token = self.rng.choice(GENERAL_WORDS)
            else:
                token = self.rng.choice(("and", "for", "in", "of", "on", "with"))
            words.extend(token.split())
        words = words[: target - len(tail)]
        while words[-1] in MINOR_TITLE_WORDS:
            words[-1] = self.rng.choice(GENERAL_WORDS)
        words += tail
        return TITLE_PREFIX + " ".join(
            word if (index and word in MINOR_TITLE_WORDS) or word[:1].isupper() else word[:1].upper() + word[1:]
            for index, word in enumerate(words)
        )

    def _tokens(self, count: int) -> list[str]:
        """Terms of exactly ``count`` words in all; a multi-word term that would not fit is skipped, not cut."""
        tokens: list[str] = []
        words = 0
        while words < count:
            for token in self._draw(count - words + 4):
                size = token.count(" ") + 1
                if words + size <= count:
                    tokens.append(token)
                    words += size
                if words == count:
                    break
        return tokens

    def _sentences(self, tokens: list[str]) -> list[list[str]]:
        """The terms cut into sentences of about 8 to 20 words; a multi-word term is never cut."""
        sentences: list[list[str]] = [[]]
        words, target = 0, self.rng.randint(8, 20)
        for token in tokens:
            sentences[-1].append(token)
            words += token.count(" ") + 1
            if words >= target:
                sentences.append([])
                words, target = 0, self.rng.randint(8, 20)
        if not sentences[-1]:
            sentences.pop()
        elif len(sentences) > 1 and words < 5:
            sentences[-2].extend(sentences.pop())
        return sentences

    def _sentence(self, tokens: list[str], *, bold: bool = False, place: str = "") -> str:
        """Markdown for one sentence: capitalised, maybe with a comma, a place or one emphasised word.

        The word count never changes: a place replaces single words at the end, emphasis wraps an existing word.
        """
        tokens = list(tokens)
        tail = ["in", *place.split()] if place else []
        if tail and len(tail) < len(tokens) - 1 and all(" " not in token for token in tokens[-len(tail) :]):
            tokens[-len(tail) :] = tail
        elif tokens[-1] in FUNCTION_SET:
            tokens[-1] = self.rng.choice(GENERAL_WORDS)
        if len(tokens) > 8 and self.rng.random() < 0.3:
            tokens[self.rng.randrange(3, len(tokens) - 3)] += ","
        if bold and len(tokens) > 1:
            position = self.rng.randrange(1, len(tokens))
            if tokens[position] not in FUNCTION_SET and tokens[position][-1].isalpha():
                tokens[position] = f"**{tokens[position]}**"
        tokens[0] = tokens[0][:1].upper() + tokens[0][1:]
        return " ".join(tokens) + "."

    def _text(self, tokens: list[str], places: Sequence[str] = (), bold: float = 0.0) -> list[str]:
        return [
            self._sentence(
                sentence,
                bold=self.rng.random() < bold,
                place=self.rng.choice(places) if places and self.rng.random() < 0.08 else "",
            )
            for sentence in self._sentences(tokens)
        ]

    def summary(self) -> str:
        """30 to 60 words of plain sentences."""
        return " ".join(self._text(self._tokens(self.rng.randint(30, 60))))

    def body(self, places: Sequence[str] = ()) -> tuple[str, str]:
        """100 to 250 words of Markdown paragraphs, sometimes with a heading or a bullet list, and its HTML.

        The HTML is what ``render_markdown`` makes of the Markdown: paragraphs, ``<h2>``, ``<ul>`` and
        ``<strong>``, with the text escaped. The vocabulary holds no Markdown or HTML syntax characters.
        """
        total = self.rng.randint(100, 250)
        heading = self.rng.choice(HEADINGS) if self.rng.random() < 0.4 else ""
        items = [self.rng.randint(3, 7) for _item in range(self.rng.randint(3, 5))] if self.rng.random() < 0.3 else []
        prose = total - sum(items) - len(heading.split())
        sentences = self._text(self._tokens(prose), places, bold=0.06)
        paragraphs = []
        while sentences:
            size = self.rng.randint(2, 5)
            paragraphs.append(" ".join(sentences[:size]))
            sentences = sentences[size:]
        markdown_blocks = list(paragraphs)
        html_blocks = [f"<p>{_inline_html(paragraph)}</p>" for paragraph in paragraphs]
        if items:
            lines = []
            for length in items:
                line = " ".join(self._tokens(length))
                lines.append(line[:1].upper() + line[1:])
            at = self.rng.randrange(len(paragraphs) + 1)
            markdown_blocks.insert(at, "\n".join(f"- {line}" for line in lines))
            html_blocks.insert(at, "<ul>\n" + "\n".join(f"<li>{_inline_html(line)}</li>" for line in lines) + "\n</ul>")
        if heading and len(markdown_blocks) > 1:
            at = self.rng.randrange(1, len(markdown_blocks))
            markdown_blocks.insert(at, f"## {heading}")
            html_blocks.insert(at, f"<h2>{heading}</h2>")
        return "\n\n".join(markdown_blocks), "\n".join(html_blocks)


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline_html(markdown_text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", html.escape(markdown_text, quote=False))
