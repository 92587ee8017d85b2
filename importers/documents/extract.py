"""From a document's text to proposed facts: tables, line and sentence patterns, mentions.

`extract(doc, reference, known)` reads one `DocText` and returns `Extraction`: the proposed facts
(`Facts`), the tables found (with their recognised type), data-quality warnings and the
document's metadata (date, version, main initiative). Nothing is written.

Confidence, by where a fact comes from:
- 0.95 a cell of a recognised Prosjektveiviseren table whose column says what it is
  (dependencies, role table with a name, change log, form fields);
- 0.9  a structured list under a heading (participants by county) resolved exactly;
- 0.7–0.85 a sentence pattern ("prosjekteier <Navn>", "<Navn> (enhet)", "avløst av",
  "ordfører <Navn>", partner and funding lists, amounts next to a funder);
- mentions: 1.0 exact, 0.95 inflected, 0.9 split word, ≤ 0.9 fuzzy (typos).
A name resolved fuzzily to a known entity lowers the fact's confidence (× 0.85).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from graph.ids import normalise_name
from graph.model import ModelError
from graph.norwegian import MONTHS as MONTH_NAMES
from graph.records import make_node
from importers.documents.facts import Facts, Ref
from importers.documents.gazetteer import Gazetteer, Word, norm_phrase, words_of
from importers.documents.tables import NO_FACTS, Table, find_tables
from importers.documents.text import DocLine, DocText
from importers.reference import MunicipalityRow, ReferenceTables

HOW_NO = {"exact": "eksakt", "inflected": "bøyd", "split": "delt", "fuzzy": "uskarp"}
MENTION_KINDS = {"Organisation", "Unit", "Person", "Initiative", "Municipality", "FundingSource"}
GROUP_KINDS = ("Unit", "Organisation", "Municipality")

_UP = "A-ZÆØÅÄÖÜÉ"
_LO = "a-zæøåäöüéè"
_NAME_WORD = rf"[{_UP}][{_LO}]+(?:-[{_UP}][{_LO}]+)?"
NAME = rf"{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|[{_UP}]\.?(?![{_LO}]))){{1,3}}"
_NAME_RE = re.compile(rf"^{NAME}$")
_NOT_NAME_WORDS = {
    "kommune",
    "kommunen",
    "gruppe",
    "utvalg",
    "styret",
    "prosjekt",
    "program",
    "programmet",
    "fylkeskommune",
    "universitetet",
    "direktør",
    "forening",
    "avdeling",
    "enhet",
    "as",
    "prosjektet",
    "arbeid",
    "saksnr",
    "dato",
    "møtedato",
    "vedlegg",
    "sak",
    "innhold",
}
MONTHS = {m: i for i, m in enumerate(MONTH_NAMES, start=1)}
COMMITTEES = (
    "arbeidsutvalg",
    "styringsgruppe",
    "styringsgruppa",
    "programstyre",
    "programstyret",
    "prosjektgruppe",
    "prosjektgruppa",
    "arbeidsgruppe",
    "referansegruppe",
    "prosjektstyre",
)
GENERIC_TITLES = {
    "notat",
    "referat",
    "protokoll",
    "innkalling",
    "agenda",
    "saksframlegg",
    "vedlegg",
    "rapport",
    "brev",
    "møtereferat",
    "sakliste",
    "saksliste",
}
ROLE_WORDS = (
    "prosjekteier",
    "prosjektleder",
    "programleder",
    "programeier",
    "prosjektsekretær",
    # nynorsk
    "prosjekteigar",
    "prosjektleiar",
    "programleiar",
    "programeigar",
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«\"(])")
_BULLET = re.compile(r"^\s*(?:[-•*–]|\d+[.)])\s+")


def is_person_name(text: str) -> bool:
    text = text.strip()
    if not _NAME_RE.match(text):
        return False
    return not any(
        w.casefold() in _NOT_NAME_WORDS or w.casefold().endswith(("kommune", "samarbeid"))
        for w in text.split()
    )


def capitalise(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def parse_date(text: str) -> str | None:
    for pattern, order in (
        (r"\b(\d{1,2})[.\-](\d{1,2})[.\-]((?:19|20)\d{2})\b", "dmy"),
        (r"\b(\d{1,2})/(\d{1,2})\s*-\s*((?:19|20)\d{2})\b", "dmy"),
        (r"\b(\d{1,2})\.\s*(" + "|".join(MONTHS) + r")\s+((?:19|20)\d{2})\b", "dMy"),
        (r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b", "ymd"),
    ):
        m = re.search(pattern, text, re.IGNORECASE)
        if not m:
            continue
        a, b, c = m.groups()
        try:
            if order == "dmy":
                return dt.date(int(c), int(b), int(a)).isoformat()
            if order == "dMy":
                return dt.date(int(c), MONTHS[b.lower()], int(a)).isoformat()
            return dt.date(int(a), int(b), int(c)).isoformat()
        except ValueError:
            continue
    return None


_AMOUNT = re.compile(
    r"(?:kr\.?\s*)?(\d{1,3}(?:[ .\u00a0]\d{3})+|\d+(?:,\d+)?)(\s*(?:mill(?:ioner|\.)?|mrd\.?))?"
    r"(\s*kr\.?)?",
    re.IGNORECASE,
)


def amounts(text: str) -> list[tuple[int, int, int]]:
    """Amounts in NOK with their span: "kr 2 mill", "3,1 mill", "450 000", "100.000 kr"."""
    out = []
    for m in _AMOUNT.finditer(text):
        number, unit, kr_after = m.group(1), m.group(2), m.group(3)
        has_kr = m.group(0).lower().startswith("kr") or bool(kr_after)
        grouped = bool(re.search(r"[ .\u00a0]\d{3}$", number))
        if not (unit or has_kr or grouped):
            continue
        if re.fullmatch(r"(19|20)\d{2}", number) and not unit:
            continue
        value = float(re.sub(r"[ .\u00a0]", "", number).replace(",", "."))
        if unit:
            value *= 1_000_000_000 if unit.strip().lower().startswith("mrd") else 1_000_000
        out.append((round(value), m.start(), m.end()))
    return out


def guess_org_type(name: str) -> str:
    n = name.casefold()
    rules = (
        ("fylkeskommune", "county_authority"),
        ("universitet", "university"),
        ("høgskole", "university"),
        ("departement", "ministry"),
        ("statsforvalter", "state_agency"),
        ("direktorat", "state_agency"),
        ("forskningsråd", "state_agency"),
        ("forening", "ngo"),
        ("research", "research"),
        ("forskning", "research"),
        ("kommune", "municipality"),
        ("samarbeid", "regional_collaboration"),
        ("regionen", "regional_collaboration"),
        ("konsulent", "company"),
    )
    if n.startswith("nav"):
        return "state_agency"
    for word, kind in rules:
        if word in n:
            return kind
    if n.endswith(" as") or n.endswith(" asa"):
        return "company"
    return "other"


@dataclass
class Paragraph:
    text: str
    line_of: list[int]
    first: int
    last: int


@dataclass
class Extraction:
    doc: DocText
    facts: Facts
    tables: list[Table]
    document_date: str | None
    municipality_date: str
    version: str | None
    main: Ref | None
    home: Ref | None
    warnings: list[str] = field(default_factory=list)
    municipality_rows: dict[str, MunicipalityRow] = field(default_factory=dict)
    document_ref: Ref | None = None


class Extractor:
    def __init__(
        self,
        doc: DocText,
        reference: ReferenceTables,
        known: list[dict[str, Any]] | None = None,
        date: str | None = None,
        known_ids: set[str] | None = None,
    ):
        self.doc = doc
        self.ref = reference
        self.known = known or []
        #: ids already in the graph (`known` may also hold entities of documents read before)
        self.known_ids = known_ids if known_ids is not None else {str(k["id"]) for k in self.known}
        self.facts = Facts(doc.name)
        self.gaz = Gazetteer()
        self.warnings: list[str] = list(doc.warnings)
        self.explicit_date = date
        self.version: str | None = None
        self.main: Ref | None = None
        self.home: Ref | None = None
        self.muni_rows: dict[str, MunicipalityRow] = {}
        self.tables = find_tables(doc)
        self.paragraphs = self._paragraphs()
        self._words: dict[int, list[Word]] = {}
        self._rows: dict[str, MunicipalityRow] = {}  # municipality node id -> reference row
        self._sentences: list[tuple[str, int, Paragraph, int]] | None = None

    # ---- helpers ----------------------------------------------------------------------------

    def snippet(self, no: int, around: str | None = None) -> str:
        text = self.doc.line(no).text.replace("\t", " | ")
        if around and around in text and len(text) > 200:
            i = text.index(around)
            start = max(0, i - 80)
            text = ("…" if start else "") + text[start : i + len(around) + 80] + "…"
        return text[:240]

    def page(self, no: int) -> int | None:
        return self.doc.line(no).page if self.doc.format == "pdf" else None

    def lookup(
        self, name: str, kinds: tuple[str, ...] | list[str] | None, fuzzy: float = 0.0
    ) -> Ref | None:
        hit = self.gaz.lookup(name, kinds, fuzzy=fuzzy)
        if hit is None:
            return None
        entry, score = hit
        return Ref(
            entry.kind,
            entry.id,
            entry.name,
            entry.kommunenummer,
            known=entry.id in self.known_ids,
            score=score,
        )

    def entity(
        self,
        kind: str,
        name: str,
        props: dict[str, Any] | None = None,
        *,
        lines: list[int],
        conf: float,
        rule: str,
        kinds: tuple[str, ...] | None = None,
        fuzzy: float = 0.0,
        create: bool = True,
    ) -> Ref | None:
        name = " ".join(name.split()).strip(" .,;:")
        if not name:
            return None
        found = self.lookup(name, kinds or (kind,), fuzzy=fuzzy)
        if found is not None or not create:
            return found
        try:
            node = make_node(kind, name, props or {})
        except (ModelError, ValueError) as exc:
            self.warnings.append(f"{self.doc.name}:{lines[0]}: {kind} {name!r} avvist: {exc}")
            return None
        ref = Ref(kind, node.id, node.name, known=node.id in self.known_ids)
        if not ref.known:
            self.facts.add_node(
                node, conf, rule, lines, self.snippet(lines[-1], name), self.page(lines[-1])
            )
        self.gaz.add(kind, node.id, node.name, node.props.get("aliases", []))
        return ref

    def rel(
        self,
        rel_type: str,
        a: Ref | None,
        b: Ref | None,
        props: dict[str, Any],
        conf: float,
        rule: str,
        lines: list[int],
        around: str | None = None,
    ) -> None:
        if a is None or b is None or a.id == b.id:
            return
        if min(a.score, b.score) < 100:
            conf *= 0.85
        try:
            self.facts.add_rel(
                rel_type,
                a,
                b,
                props,
                conf,
                rule,
                lines,
                self.snippet(lines[-1], around),
                self.page(lines[-1]),
            )
        except ModelError as exc:
            self.warnings.append(f"{self.doc.name}:{lines[0]}: {exc}")

    def municipality(self, row: MunicipalityRow, lines: list[int], conf: float, rule: str) -> Ref:
        node_id = self.ref.node_id(row)
        self.muni_rows[node_id] = row
        ref = Ref(
            "Municipality", node_id, row.name, row.kommunenummer, known=node_id in self.known_ids
        )
        if not ref.known:
            node = make_node(
                "Municipality",
                row.name,
                {
                    "id": node_id,
                    "kommunenummer": row.kommunenummer,
                    "county": self.ref.counties[row.county_number].name
                    if row.county_number in self.ref.counties
                    else None,
                    "valid_from": row.valid_from,
                    "valid_to": row.valid_to or None,
                },
            )
            self.facts.add_node(
                node, conf, rule, lines, self.snippet(lines[-1], row.name), self.page(lines[-1])
            )
        return ref

    def _paragraphs(self) -> list[Paragraph]:
        out: list[Paragraph] = []
        cur: list[DocLine] = []

        def close() -> None:
            if not cur:
                return
            text, line_of = "", []
            for ln in cur:
                piece = ln.text.strip()
                sep = "" if not text else ("" if re.search(r"\w-$", text) else " ")
                text += sep
                line_of += [ln.no] * len(sep)
                text += piece
                line_of += [ln.no] * len(piece)
            line_of.append(cur[-1].no)
            out.append(Paragraph(text, line_of, cur[0].no, cur[-1].no))
            cur.clear()

        for ln in self.doc.lines:
            if ln.is_row:
                close()
                row_text = ln.text.replace("\t", " | ")
                out.append(Paragraph(row_text, [ln.no] * (len(row_text) + 1), ln.no, ln.no))
                continue
            if not ln.text.strip() or _BULLET.match(ln.text):
                close()
            if ln.text.strip():
                cur.append(ln)
        close()
        return out

    def words(self, p: Paragraph) -> list[Word]:
        cached = self._words.get(id(p))
        if cached is None:
            cached = self._words[id(p)] = words_of(p.text, p.line_of)
        return cached

    def sentences(self) -> list[tuple[str, int, Paragraph, int]]:
        """(sentence, first line, paragraph, offset) of running text."""
        if self._sentences is not None:
            return self._sentences
        out = []
        for p in self.paragraphs:
            if self.doc.line(p.first).is_row:
                continue
            # a sentence ends at . ! ? followed by space and a capital ("100.000 kr. i" is one)
            starts = [0, *(m.end() for m in _SENTENCE_END.finditer(p.text))]
            for a, b in zip(starts, [*starts[1:], len(p.text)], strict=True):
                s = p.text[a:b].strip()
                if s:
                    out.append((s, p.line_of[a], p, a))
        self._sentences = out
        return out

    # ---- the run ------------------------------------------------------------------------------

    def run(self) -> Extraction:
        for k in self.known:
            if k.get("kind") in MENTION_KINDS and k.get("kind") != "Municipality":
                self.gaz.add(
                    str(k["kind"]),
                    str(k["id"]),
                    str(k["name"]),
                    [str(a) for a in (k.get("aliases") or [])],
                )
        doc_type = self._doc_type()
        date = self.explicit_date or self._document_date(doc_type)
        county_lists = self._county_lists()
        mdate = date or self._infer_municipality_date(county_lists)
        self.mdate = mdate
        current = {normalise_name(r.name) for r in self.ref.municipalities if r.valid_on(mdate)}
        for row in self.ref.municipalities:
            historic = bool(row.valid_to) and row.valid_to < mdate
            if row.valid_on(mdate) or (historic and normalise_name(row.name) not in current):
                # municipalities of the time, and earlier ones by their historic names
                node_id = self.ref.node_id(row)
                self._rows.setdefault(node_id, row)
                self.gaz.add(
                    "Municipality",
                    node_id,
                    row.name,
                    [f"{row.name} kommune"],
                    strict=True,
                    kommunenummer=row.kommunenummer,
                )
        self.home = self._home_municipality()
        self.main = self._main_initiative(doc_type)
        for table in self.tables:
            self._table(table)
        self._line_rules()
        if county_lists:
            self._participants(county_lists)
        self._sentence_rules()
        self._count_checks()
        self._mentions()
        return Extraction(
            self.doc,
            self.facts,
            self.tables,
            date,
            mdate,
            self.version,
            self.main,
            self.home,
            self.warnings,
            self.muni_rows,
            self.document_ref,
        )

    # ---- document-level ---------------------------------------------------------------------

    def _first_lines(self, n: int = 12) -> list[DocLine]:
        return [ln for ln in self.doc.lines if ln.text.strip()][:n]

    def _doc_type(self) -> str:
        head = " ".join(ln.text for ln in self._first_lines(6)).casefold()
        if "styringsdokument" in head:
            return "styringsdokument"
        if re.search(r"\breferat\b|\bprotokoll\b", head):
            return "referat"
        return "dokument"

    def _document_date(self, doc_type: str) -> str | None:
        for t in self.tables:
            if t.type == "endringslogg":
                best: tuple[float, str] | None = None
                for row in t.body:
                    version = t.cell(row, "versjon")
                    d = parse_date(t.cell(row, "dato"))
                    try:
                        v = float(version.replace(",", "."))
                    except ValueError:
                        continue
                    if d and (best is None or v > best[0]):
                        best = (v, d)
                        self.version = version
                if best:
                    return best[1]
        for ln in self._first_lines(40):
            d = parse_date(ln.text)
            if d:
                return d
        return None

    def _home_municipality(self) -> Ref | None:
        counts: Counter[str] = Counter()
        rows: dict[str, Ref] = {}
        for p in self.paragraphs:
            for m in self.gaz.find(self.words(p), {"Municipality"}):
                counts[m.entry.id] += 1
                rows[m.entry.id] = Ref(
                    "Municipality", m.entry.id, m.entry.name, m.entry.kommunenummer
                )
        if not counts:
            return None
        best, n = counts.most_common(1)[0]
        if n < 5:
            return None
        row = self._rows[best]
        if not row.valid_on(self.mdate):
            return None  # the document is about a municipality that no longer exists
        first = next(p.first for p in self.paragraphs if row.name in p.text)
        return self.municipality(row, [first], 0.9, "kommune:hjemkommune")

    def _title_case(self, text: str) -> str:
        words = []
        shouting = text.isupper()
        for w in text.split():
            bare = w.strip('“”"«»')
            if bare.isupper() and (len(bare) > 3 or shouting):
                low = bare.lower()
                known = self.gaz.lookup(bare.capitalize(), ["Municipality"])
                w = w.replace(bare, low.capitalize() if known else low)
            words.append(w)
        out = " ".join(words).strip('“”"«» ')
        return capitalise(out)

    def _main_initiative(self, doc_type: str) -> Ref | None:
        lines = self._first_lines(12)
        if doc_type == "styringsdokument":
            start = next(i for i, ln in enumerate(lines) if "styringsdokument" in ln.text.lower())
            parts, used = [], []
            for ln in lines[start + 1 :]:
                if ln.is_row or re.search(r"fylles ut|prosjektnummer|saksnummer", ln.text, re.I):
                    break
                text = ln.text.strip()
                m = re.search(r"\s+VERSJON\s+([\d.,]+)\s*$", text, re.IGNORECASE)
                if m:
                    self.version = self.version or m.group(1)
                    text = text[: m.start()]
                parts.append(self._title_case(text.strip('“”"« »')))
                used.append(ln.no)
            if not parts:
                return None
            name = " – ".join(parts)
            props: dict[str, Any] = {"kind": "project"}
            sak = re.search(r"Saksnummer:\s*([\w\-/]+)", self.doc.text())
            if sak:
                props["saksnummer"] = sak.group(1)
            ref = self.entity(
                "Initiative", name, props, lines=used, conf=0.95, rule="tabell:skjema", fuzzy=92
            )
            if ref is not None and props.get("saksnummer"):
                # a known initiative with the same saksnummer is the same initiative
                node = make_node("Initiative", name, props)
                if node.id != ref.id and node.id in self.known_ids:
                    ref = Ref("Initiative", node.id, name, known=True)
            self._located(ref, used)
            return ref
        if doc_type == "referat":
            for ln in lines[:4]:
                m = re.match(
                    r"^(?:REFERAT|Referat|PROTOKOLL|Protokoll)\s+(.+?)"
                    r"(?:\s+(?:d\.|dato)\s*[\d.\-/]+)?\s*$",
                    ln.text.strip(),
                )
                if not m:
                    continue
                body = m.group(1).strip()
                first = body.split()[0].casefold()
                if first in COMMITTEES and len(body.split()) > 1:
                    subject = body.split(None, 1)[1]
                    kind = (
                        "programme"
                        if self.doc.text().lower().count("programmet") >= 3
                        else "project"
                    )
                    main = self.entity(
                        "Initiative",
                        subject,
                        {"kind": kind},
                        lines=[ln.no],
                        conf=0.9,
                        rule="mønster:referat-tittel",
                        fuzzy=92,
                    )
                    unit = self.entity(
                        "Unit",
                        body,
                        self._unit_props(),
                        lines=[ln.no],
                        conf=0.9,
                        rule="mønster:referat-tittel",
                        kinds=GROUP_KINDS,
                        fuzzy=92,
                    )
                    self.rel(
                        "PARTNER_IN",
                        unit,
                        main,
                        {"role": first},
                        0.9,
                        "mønster:referat-tittel",
                        [ln.no],
                    )
                    self._part_of_home(unit, [ln.no])
                    self._located(main, [ln.no])
                    return main
        # presentation or other document: the title is the first block of lines
        title: list[str] = []
        title_lines: list[int] = []
        for ln in self.doc.lines:
            if not ln.text.strip():
                if title:
                    break
                continue
            if ln.is_row:
                break
            title.append(ln.text.strip())
            title_lines.append(ln.no)
            if len(title) >= 3:
                break
        if not title:
            return None
        name = self._title_case(" ".join(title))
        first_word = name.split()[0].casefold().strip(":")
        if len(name) > 100 or parse_date(name) or first_word in GENERIC_TITLES:
            return None  # "Notat 3.3.2022" names the document, not an initiative
        head = self.doc.text()[:3000].lower()
        kind = "programme" if "program" in head else "project"
        return self.entity(
            "Initiative",
            name,
            {"kind": kind},
            lines=title_lines,
            conf=0.8,
            rule="mønster:tittel",
            fuzzy=92,
        )

    def _unit_props(self) -> dict[str, Any]:
        return {"organisation": f"{self.home.name} kommune"} if self.home else {}

    def _part_of_home(self, unit: Ref | None, lines: list[int], conf: float = 0.8) -> None:
        if unit is not None and self.home is not None and unit.kind == "Unit" and not unit.known:
            self.rel("PART_OF", unit, self.home, {}, conf, "mønster:enhet-i-kommunen", lines)

    def _located(self, ref: Ref | None, lines: list[int]) -> None:
        if ref is None or self.home is None:
            return
        first = self.doc.line(lines[0]).text
        if (
            self.home.name.casefold() in " ".join(self.doc.line(n).text for n in lines).casefold()
            or self.home.name in first
        ):
            self.rel("LOCATED_IN", ref, self.home, {}, 0.85, "mønster:tittel-kommune", lines)

    # ---- tables ----------------------------------------------------------------------------------

    def _table(self, t: Table) -> None:
        handler = {
            "avhengigheter": self._t_dependencies,
            "roller": self._t_roles,
            "interessenter": self._t_stakeholders,
            "endringslogg": self._t_changelog,
            "kompetanse": self._t_competence,
            "skjema": self._t_form,
        }.get(t.type)
        if handler is not None and self.main is not None:
            handler(t)
        elif t.type == "unknown":
            self.warnings.append(
                f"{self.doc.name}:{t.line}: tabell med kolonnene "
                f"{' | '.join(t.header)[:120]!r} er ikke gjenkjent; bare omtaler er lest"
            )
        elif t.type in NO_FACTS:
            pass

    def _owner(
        self, text: str, lines: list[int], rule: str, conf: float, default: str = "Unit"
    ) -> Ref | None:
        """A unit, organisation or municipality named in a cell; new ones are proposed."""
        text = text.strip()
        if not text:
            return None
        found = self.lookup(text, GROUP_KINDS, fuzzy=90)
        if found is not None:
            return found
        if (
            text.casefold() in ROLE_WORDS
            or text.casefold().rstrip("e")
            in {w.rstrip("e") for w in (*ROLE_WORDS, "prosjektledere")}
            or text.casefold() in {"prosjektledere", "programledere"}
        ):
            return None
        if not text[:1].isupper() or len(text) > 80:
            return None
        if (
            default == "Organisation"
            or text.isupper()
            or guess_org_type(text) not in ("other", "municipality")
        ):
            return self.entity(
                "Organisation",
                text,
                {"org_type": guess_org_type(text)},
                lines=lines,
                conf=conf,
                rule=rule,
                kinds=GROUP_KINDS,
            )
        unit = self.entity(
            "Unit", text, self._unit_props(), lines=lines, conf=conf, rule=rule, kinds=GROUP_KINDS
        )
        self._part_of_home(unit, lines, conf)
        return unit

    def _t_dependencies(self, t: Table) -> None:
        rule = "tabell:avhengigheter"
        for row in t.body:
            lines = [t.line, row.no]
            name = (row.cells or [""])[0].strip()
            if not name:
                continue
            target = self.entity(
                "Initiative",
                capitalise(name),
                {"kind": "project"},
                lines=[row.no],
                conf=0.95,
                rule=rule,
                fuzzy=90,
            )
            description = t.cell(row, "beskrivelse")
            owner = t.cell(row, "eier")
            handling = t.cell(row, "håndtering")
            props = {
                k: v
                for k, v in (("description", description), ("owner", owner), ("handling", handling))
                if v
            }
            self.rel("DEPENDS_ON", self.main, target, props, 0.95, rule, lines)
            for part in re.split(r"[,;]", owner):
                who = self._owner(part, [row.no], rule, 0.75)
                self.rel(
                    "PARTNER_IN",
                    who,
                    target,
                    {"role": "prosjekteier/systemeier"},
                    0.9 if who is not None and who.known else 0.75,
                    rule,
                    lines,
                )
            m = re.match(r"^(.+?)\s+deltar i\s+(.+)$", handling)
            if m:
                who = self._owner(m.group(1), [row.no], rule, 0.7)
                self.rel(
                    "PARTNER_IN",
                    who,
                    target,
                    {"role": f"deltar i {m.group(2)}"},
                    0.8,
                    rule,
                    [row.no],
                )

    def _t_roles(self, t: Table) -> None:
        rule = "tabell:roller"
        for row in t.body:
            role = t.cell(row, "rolle")
            name = t.cell(row, "navn")
            title = t.cell(row, "tittel")
            share = t.cell(row, "stillingsstørrelse")
            if not role:
                continue
            lines = [row.no]
            if name and is_person_name(name):
                person = self.entity(
                    "Person", name, {"title": title or None}, lines=lines, conf=0.95, rule=rule
                )
                props = {"role": role, "title": title or None, "share": share or None}
                self.rel(
                    "HAS_ROLE",
                    person,
                    self.main,
                    {k: v for k, v in props.items() if v},
                    0.95,
                    rule,
                    lines,
                )
                m = re.match(r"^(?:direktør|leder|sjef)\s+for\s+(.+)$", title, re.IGNORECASE)
                if m:
                    unit = self._owner(capitalise(m.group(1)), lines, rule, 0.8)
                    self.rel(
                        "HAS_ROLE",
                        person,
                        unit,
                        {"role": title.split()[0].capitalize(), "title": title},
                        0.85,
                        rule,
                        lines,
                    )
            elif title:
                who = self.lookup(title, GROUP_KINDS, fuzzy=90)
                if who is not None:
                    self.rel("PARTNER_IN", who, self.main, {"role": role}, 0.9, rule, lines)

    def _t_stakeholders(self, t: Table) -> None:
        rule = "tabell:interessenter"
        for row in t.body:
            name = (row.cells or [""])[0].strip()
            if not name:
                continue
            who = self.lookup(name, GROUP_KINDS, fuzzy=88)
            if who is None:
                who = self.entity(
                    "Unit",
                    capitalise(name),
                    self._unit_props(),
                    lines=[row.no],
                    conf=0.6,
                    rule=rule,
                    kinds=GROUP_KINDS,
                )
            self.rel(
                "PARTNER_IN", who, self.main, {"role": "interessent"}, 0.7, rule, [t.line, row.no]
            )

    def _t_changelog(self, t: Table) -> None:
        rule = "tabell:endringslogg"
        for row in t.body:
            for name in re.split(r"\s+og\s+|/|,|&", t.cell(row, "produsent")):
                if is_person_name(name):
                    person = self.entity(
                        "Person", name.strip(), lines=[row.no], conf=0.95, rule=rule
                    )
                    self.rel(
                        "HAS_ROLE",
                        person,
                        self.main,
                        {"role": "Utarbeidet av"},
                        0.95,
                        rule,
                        [row.no],
                    )

    def _t_competence(self, t: Table) -> None:
        rule = "tabell:kompetanse"
        role = (
            re.sub(r"^behov for (annen )?", "", t.heading, flags=re.IGNORECASE).strip()
            or "støtte og kompetanse"
        )
        for row in t.body:
            need = (row.cells or [""])[0].strip()
            name = t.cell(row, "navn")
            if not (need and name and is_person_name(name)):
                continue
            # support from outside the project group: an outside organisation
            org = self.entity(
                "Organisation",
                need,
                {"org_type": guess_org_type(need)},
                lines=[row.no],
                conf=0.85,
                rule=rule,
                kinds=GROUP_KINDS,
                fuzzy=90,
            )
            person = self.entity("Person", name, lines=[row.no], conf=0.9, rule=rule)
            self.rel("MEMBER_OF", person, org, {}, 0.85, rule, [row.no])
            self.rel("HAS_ROLE", person, self.main, {"role": role}, 0.9, rule, [row.no])

    def _t_form(self, t: Table) -> None:
        rule = "tabell:skjema"
        for row in t.rows:
            for cell in row.cells or []:
                label, sep, value = cell.partition(":")
                value = value.strip()
                if not sep or not value or value.startswith("<"):
                    continue
                low = label.strip().casefold()
                names = [n.strip() for n in re.split(r"\s*/\s*|\s+og\s+|,", value)]
                if all(is_person_name(n) for n in names) and (
                    low.startswith(
                        (
                            "utarbeidet",
                            "prosjektleder",
                            "prosjekteier",
                            "godkjent",
                            "saksbehandler",
                            "behandlet",
                        )
                    )
                ):
                    for n in names:
                        person = self.entity("Person", n, lines=[row.no], conf=0.95, rule=rule)
                        self.rel(
                            "HAS_ROLE",
                            person,
                            self.main,
                            {"role": label.strip()},
                            0.95,
                            rule,
                            [row.no],
                        )
                elif low.startswith(("behandlet av", "prosjekteier", "eier")):
                    who = self._owner(value, [row.no], rule, 0.9)
                    self.rel(
                        "PARTNER_IN", who, self.main, {"role": label.strip()}, 0.9, rule, [row.no]
                    )

    # ---- line rules ------------------------------------------------------------------------

    def _line_rules(self) -> None:
        lines = self.doc.lines
        for i, ln in enumerate(lines):
            text = ln.text.strip()
            if ln.is_row or not text:
                continue
            m = re.match(r"^Prosjekt\s+(\d+)\s*[:.–-]?\s+([^\s].{2,120})$", text)
            if m and self.main is not None and not text.endswith((".", "?")):
                self._project(int(m.group(1)), m.group(2), ln, i)
                continue
            m = re.match(
                rf"^(Saksbehandler|Godkjent av|Prosjektleder|Programleder|Prosjekteier"
                rf"|Programeier|Referent|Møteleder)\s*:?\s+({NAME})$",
                text,
            )
            if m:
                person = self.entity(
                    "Person", m.group(2), lines=[ln.no], conf=0.85, rule="mønster:saksfelt"
                )
                target = self._case_body(i) or self.main
                self.rel(
                    "HAS_ROLE",
                    person,
                    target,
                    {"role": m.group(1)},
                    0.8,
                    "mønster:saksfelt",
                    [ln.no],
                )
                continue
            m = re.match(rf"^({NAME}),\s*([a-zæøå][\wæøå\- ]{{3,60}})$", text)
            if m and is_person_name(m.group(1)):
                self.entity(
                    "Person",
                    m.group(1),
                    {"title": m.group(2)},
                    lines=[ln.no],
                    conf=0.7,
                    rule="mønster:navn-tittel",
                )

    def _case_body(self, index: int) -> Ref | None:
        """The body a case goes to ("Saksgang" and the next line), within the case header."""
        lines = self.doc.lines
        for j in range(index + 1, min(len(lines) - 1, index + 8)):
            if lines[j].text.strip().casefold() == "saksgang":
                body = lines[j + 1].text.strip()
                return self.lookup(body, (*GROUP_KINDS, "Initiative"), fuzzy=92)
        return None

    def _project(self, number: int, rest: str, ln: DocLine, index: int) -> None:
        alias = None
        m = re.search(r"\s*\(«?([^()»]+)»?\)\s*$", rest)
        if m:
            alias = m.group(1).strip("«» ")
            rest = rest[: m.start()]
        bullets = []
        for nxt in self.doc.lines[index + 1 : index + 15]:
            if nxt.is_row or re.match(r"^Prosjekt\s+\d+\s", nxt.text):
                break
            if _BULLET.match(nxt.text):
                bullets.append(_BULLET.sub("", nxt.text).strip())
            elif nxt.text.strip() and bullets:
                break
        props: dict[str, Any] = {"kind": "project"}
        if alias:
            props["aliases"] = [alias]
        if bullets:
            props["description"] = f"Prosjekt {number}. " + " ".join(bullets)
        project = self.entity(
            "Initiative",
            rest.strip(),
            props,
            lines=[ln.no],
            conf=0.85,
            rule="mønster:prosjekt-n",
            fuzzy=92,
        )
        self.rel("PART_OF", project, self.main, {}, 0.85, "mønster:prosjekt-n", [ln.no])
        self._listed_projects = getattr(self, "_listed_projects", [])
        self._listed_projects.append(ln.no)

    # ---- participants by county ----------------------------------------------------------

    def _county_lists(self) -> list[tuple[DocLine, str, list[tuple[str, list[str]]]]]:
        """Lines "<county>: <municipality>, …" → (line, county number, [(item, members)])."""
        out = []
        names = {c.fylkesnummer: c.name for c in self.ref.counties.values()}
        for ln in self.doc.lines:
            if ln.is_row:
                continue
            text = _BULLET.sub("", ln.text.replace("*", "")).strip()
            m = re.match(rf"^([{_UP}][\wæøåÆØÅ\- ]{{2,30}}?)\s*:\s*(.+)$", text)
            if not m:
                continue
            key = norm_phrase(m.group(1)).replace(" ", "")
            scores = {
                nr: fuzz.ratio(key, norm_phrase(n).replace(" ", "")) for nr, n in names.items()
            }
            top = max(scores.values(), default=0.0)
            if top < 85:
                continue
            # the same county name may have had several numbers (Østfold 01 and 31)
            numbers = "|".join(nr for nr, sc in scores.items() if sc == top)
            out.append((ln, numbers, _split_items(m.group(2))))
        return out if len(out) >= 2 else []

    def _rows_in_county(self, county: str, date: str) -> list[MunicipalityRow]:
        numbers = set(county.split("|"))
        return [
            r
            for r in self.ref.municipalities
            if r.valid_on(date) and (r.county_number in numbers or not county)
        ]

    def _resolve_in_county(self, name: str, county: str, date: str) -> MunicipalityRow | None:
        key = normalise_name(name).removesuffix(" kommune")
        rows = self._rows_in_county(county, date)
        for r in rows:
            if normalise_name(r.name) == key:
                return r
        best = max(
            ((fuzz.ratio(key, normalise_name(r.name)), r) for r in rows),
            key=lambda x: x[0],
            default=None,
        )
        if best and best[0] >= 88:
            return best[1]
        return None

    def _infer_municipality_date(self, lists: list[Any]) -> str:
        today = dt.date.today().isoformat()
        if not lists:
            return today
        candidates = [f"{y}-01-01" for y in range(2012, dt.date.today().year + 1)] + [today]
        scored = []
        for d in candidates:
            n = sum(
                1
                for _, county, items in lists
                for item, members in items
                for name in (members or [item])
                if self._resolve_in_county(name, county, d) is not None
            )
            scored.append((n, d))
        top = max(n for n, _ in scored)
        dates = [d for n, d in scored if n == top]
        self.warnings.append(
            f"{self.doc.name}: dokumentet har ikke årstall; kommunenumrene er tolket per "
            f"{dates[0]} (alle {top} kommunene i listene fantes i perioden "
            f"{dates[0][:4]}–{dates[-1][:4]}). Bruk --date for å angi datoen."
        )
        return dates[0]

    def _participants(self, lists: list[tuple[DocLine, str, list[tuple[str, list[str]]]]]) -> None:
        assert self.main is not None
        first = lists[0][0]
        target = self.main
        claim: tuple[int, int] | None = None
        for prev in reversed(self.doc.lines[max(0, first.no - 8) : first.no - 1]):
            m = re.search(r"\bPulje\s+(\d+)", prev.text, re.IGNORECASE)
            if m:
                name = f"{self.main.name} – pulje {m.group(1)}"
                pulje = self.entity(
                    "Initiative",
                    name,
                    {
                        "kind": "programme",
                        "aliases": [f"Pulje {m.group(1)}"],
                        "description": prev.text.strip(),
                    },
                    lines=[prev.no],
                    conf=0.9,
                    rule="liste:deltakere",
                    fuzzy=95,
                )
                self.rel("PART_OF", pulje, self.main, {}, 0.9, "liste:deltakere", [prev.no])
                if pulje is not None:
                    target = pulje
                c = re.search(r"(\d+)\s+kommuner", prev.text)
                if c:
                    claim = (int(c.group(1)), prev.no)
                break
        count = 0
        rule = "liste:deltakere"
        for ln, county, items in lists:
            for item, members in items:
                if members:
                    org = self.entity(
                        "Organisation",
                        item,
                        {"org_type": "regional_collaboration"},
                        lines=[ln.no],
                        conf=0.85,
                        rule=rule,
                        kinds=("Organisation",),
                        fuzzy=92,
                    )
                    self.rel("PARTICIPATES_IN", org, target, {}, 0.85, rule, [ln.no])
                for name in members or [item]:
                    row = self._resolve_in_county(name, county, self.mdate)
                    conf = 0.92
                    if row is None:
                        row = self._resolve_in_county(name, "", self.mdate)
                        conf = 0.7
                    if row is None:
                        self.warnings.append(
                            f"{self.doc.name}:{ln.no}: {name!r} er ikke en kommune i "
                            f"{self.ref.counties[county.split('|')[0]].name} per {self.mdate}"
                        )
                        continue
                    if normalise_name(row.name) != normalise_name(name):
                        conf = 0.75
                    muni = self.municipality(row, [ln.no], conf, rule)
                    count += 1
                    self.rel("PARTICIPATES_IN", muni, target, {}, conf, rule, [ln.no], name)
                    if members:
                        self.rel("MEMBER_OF", muni, org, {}, conf, rule, [ln.no], name)
        if claim and claim[0] != count:
            self.warnings.append(
                f"Datakvalitet: {self.doc.name}:{claim[1]} sier {claim[0]} kommuner, "
                f"men listene har {count}"
            )

    # ---- sentence rules -------------------------------------------------------------------

    def _sentence_rules(self) -> None:
        for sentence, first, _p, _offset in self.sentences():
            line = first
            self._members_with_units(sentence, line)
            self._role_patterns(sentence, line)
            self._partner_list(sentence, line)
            self._funding_sentence(sentence, line)
            self._contribution(sentence, line)
        self._bullet_lists()

    def _members_with_units(self, s: str, line: int) -> None:
        rule = "mønster:navn-enhet"
        pattern = re.compile(rf"({NAME})\s*\(([^()]+)\)(?:\s*\(([^()]+)\))?")
        group_role = None
        m_group = re.search(
            r"\b(arbeidsgrupp\w*|prosjektgrupp\w*|styringsgrupp\w*)", s, re.IGNORECASE
        )
        if m_group:
            group_role = re.sub(r"(a|en|e)$", "e", m_group.group(1).lower())
            group_role = {
                "arbeidsgruppe": "arbeidsgruppe",
                "prosjektgruppe": "prosjektgruppe",
                "styringsgruppe": "styringsgruppe",
            }.get(group_role, group_role)
        for m in pattern.finditer(s):
            person_name, first, second = m.group(1), m.group(2).strip(), m.group(3)
            if not is_person_name(person_name):
                continue
            replacement = None
            rm = re.match(rf"^(?i:avløst|avløyst|erstattet|erstatta)\s+(?i:av)\s+({NAME})$", first)
            if rm:
                replacement = rm.group(1)
                unit_name = (second or "").strip()
            else:
                unit_name = first
            if not unit_name or re.search(r"\d", unit_name) or len(unit_name) > 60:
                continue
            if not unit_name[:1].islower() and self.lookup(unit_name, GROUP_KINDS) is None:
                continue  # units are written in lower case here: "(kultur og innbyggerdialog)"
            note = first if replacement else None  # "avløst av <Navn>", as written
            person = self.entity(
                "Person", person_name, {"note": note}, lines=[line], conf=0.85, rule=rule
            )
            unit = self._owner(capitalise(unit_name), [line], rule, 0.8)
            self.rel("MEMBER_OF", person, unit, {}, 0.8, rule, [line], person_name)
            if group_role and self.main is not None:
                self.rel(
                    "HAS_ROLE",
                    person,
                    self.main,
                    {"role": group_role, "note": note},
                    0.8,
                    rule,
                    [line],
                    person_name,
                )
            if replacement:
                other = self.entity(
                    "Person", replacement, lines=[line], conf=0.85, rule="mønster:avløst-av"
                )
                self.rel(
                    "MEMBER_OF", other, unit, {}, 0.8, "mønster:avløst-av", [line], replacement
                )
                if group_role and self.main is not None:
                    self.rel(
                        "HAS_ROLE",
                        other,
                        self.main,
                        {"role": group_role},
                        0.8,
                        "mønster:avløst-av",
                        [line],
                        replacement,
                    )

    def _role_patterns(self, s: str, line: int) -> None:
        for m in re.finditer(rf"\b((?i:ordfører|ordførar|borgermester))\s+({NAME})", s):
            name = self._genitive(m.group(2), s[m.end() :])
            person = self.entity("Person", name, lines=[line], conf=0.85, rule="mønster:ordfører")
            if self.home is not None:
                self.rel(
                    "HAS_ROLE",
                    person,
                    self.home,
                    {"role": m.group(1).lower()},
                    0.85,
                    "mønster:ordfører",
                    [line],
                    name,
                )
        for m in re.finditer(rf"\b((?i:{'|'.join(ROLE_WORDS)}))\s+({NAME})", s):
            name = self._genitive(m.group(2), s[m.end() :])
            if not is_person_name(name):
                continue
            person = self.entity(
                "Person", name, lines=[line], conf=0.8, rule=f"mønster:{m.group(1).lower()}"
            )
            self.rel(
                "HAS_ROLE",
                person,
                self.main,
                {"role": m.group(1).lower()},
                0.75,
                f"mønster:{m.group(1).lower()}",
                [line],
                name,
            )
        for m in re.finditer(
            r"\b(programeier|prosjekteier)\s*\((?:direktør|leder)\s+for\s+"
            r"([^)]+)\)",
            s,
            re.IGNORECASE,
        ):
            unit = self._owner(capitalise(m.group(2)), [line], "mønster:eier-enhet", 0.75)
            self.rel(
                "PARTNER_IN",
                unit,
                self.main,
                {"role": m.group(1).lower()},
                0.8,
                "mønster:eier-enhet",
                [line],
            )
        for m in re.finditer(
            r"\bsom\s+(prosjekteier|programeier|styringsgruppe)\b", s, re.IGNORECASE
        ):
            before = s[: m.start()]
            words = words_of(before, [line] * (len(before) + 1))
            hits = self.gaz.find(words, set(GROUP_KINDS))
            if hits and hits[-1].end == len(words):
                e = hits[-1].entry
                who = Ref(e.kind, e.id, e.name, e.kommunenummer, known=e.id in self.known_ids)
                self.rel(
                    "PARTNER_IN",
                    who,
                    self.main,
                    {"role": m.group(1).lower()},
                    0.8,
                    "mønster:som-rolle",
                    [line],
                )

    def _contribution(self, s: str, line: int) -> None:
        """ "Joint Action Analytics har bidratt med prosessledelse …" """
        m = re.match(r"^(.+?)\s+har bidratt med\s+([\wæøå-]+)", s)
        if not m or self.main is None:
            return
        who = self.lookup(m.group(1), GROUP_KINDS, fuzzy=92)
        if who is None and m.group(1)[:1].isupper() and len(m.group(1).split()) <= 5:
            who = self._owner(m.group(1), [line], "mønster:bidrag", 0.7, "Organisation")
        self.rel("PARTNER_IN", who, self.main, {"role": m.group(2)}, 0.75, "mønster:bidrag", [line])

    def _genitive(self, name: str, after: str) -> str:
        if name.endswith("s") and re.match(r"^\s+[a-zæøå]", after):
            bare = name[:-1]
            if self.lookup(name, ("Person",)) is None:
                return bare
        return name

    def _partner_list(self, s: str, line: int) -> None:
        m = re.search(r"samarbeidspartner\w*\b[^:]*:\s*(.+)$", s, re.IGNORECASE)
        if not m or self.main is None:
            return
        items = _split_items(m.group(1).rstrip("."))
        for item, _ in items:
            if not item[:1].isupper():
                continue
            org = self._owner(item, [line], "mønster:samarbeidspartnere", 0.8, "Organisation")
            self.rel(
                "PARTNER_IN",
                org,
                self.main,
                {"role": "samarbeidspartner"},
                0.8,
                "mønster:samarbeidspartnere",
                [line],
                item,
            )

    def _funding_sentence(self, s: str, line: int) -> None:
        if self.main is None:
            return
        found = amounts(s)
        if not found:
            return
        rule = "mønster:beløp"
        if re.match(r"^Bystyret\b", s) and re.search(r"bevilg|bevilgning", s) and self.home:
            value, _, end = found[0]
            years = [int(y) for y in re.findall(r"\b((?:19|20)\d{2})\b", s[end:])]
            year_list: list[int | None] = [*years] or [None]
            for year in year_list:
                props = {"amount_nok": value, "year": year, "note": s}
                self.rel(
                    "FUNDS",
                    self.home,
                    self.main,
                    {k: v for k, v in props.items() if v},
                    0.7,
                    rule,
                    [line],
                )
            return
        if _BULLET.match(s):
            return  # bulleted lists are read by _bullet_list
        m = re.search(rf"\bfra\s+((?:[{_UP}][\wæøåÆØÅ-]+)(?:\s+[{_UP}][\wæøåÆØÅ-]+)*)", s)
        if m and re.search(r"tilskudd|midler|bevilg|støtte|tildel", s, re.IGNORECASE):
            funder = self._funder(m.group(1), line, 0.6)
            value = found[0][0]
            self.rel(
                "FUNDS", funder, self.main, {"amount_nok": value, "note": s}, 0.6, rule, [line]
            )

    def _funder(self, name: str, line: int, conf: float) -> Ref | None:
        name = name.strip(" .,:")
        for candidate in (name, *name.split("/")):
            found = self.lookup(
                candidate.strip(), ("FundingSource", "Organisation", "Municipality"), fuzzy=90
            )
            if found is not None:
                return found
        org_type = guess_org_type(name)
        if not re.search(r"program|ordning|fond|midler", name, re.IGNORECASE) and org_type not in (
            "other",
            "municipality",
            "regional_collaboration",
        ):
            # an agency, a county authority, a ministry …: an organisation that funds
            return self.entity(
                "Organisation",
                name,
                {"org_type": org_type},
                lines=[line],
                conf=conf,
                rule="mønster:finansieringskilde",
            )
        return self.entity(
            "FundingSource", name, lines=[line], conf=conf, rule="mønster:finansieringskilde"
        )

    def _bullet_lists(self) -> None:
        """Bulleted lists under an introducing line: other actors, funding, stakeholders."""
        lines = self.doc.lines
        i = 0
        while i < len(lines):
            intro = lines[i].text.strip()
            if not lines[i].is_row and _is_stakeholder_heading(intro):
                intro += ":"
            if intro.endswith(":") and not lines[i].is_row:
                items: list[DocLine] = []
                j = i + 1
                while j < len(lines) and (
                    not lines[j].text.strip() or _BULLET.match(lines[j].text)
                ):
                    if lines[j].text.strip():
                        items.append(lines[j])
                    j += 1
                if items:
                    self._bullet_list(intro, lines[i].no, items)
                i = j
                continue
            i += 1

    def _bullet_list(self, intro: str, intro_no: int, items: list[DocLine]) -> None:
        low = intro.casefold()
        if self.main is None:
            return
        if _is_stakeholder_heading(intro.rstrip(":")):
            rule = "liste:interessenter"
            for ln in items:
                name = capitalise(_BULLET.sub("", ln.text).strip().rstrip("."))
                if not name or len(name) > 80:
                    continue
                holder = self.lookup(name, GROUP_KINDS, fuzzy=88) or self.entity(
                    "Unit",
                    name,
                    self._unit_props(),
                    lines=[ln.no],
                    conf=0.6,
                    rule=rule,
                    kinds=GROUP_KINDS,
                )
                self.rel(
                    "PARTNER_IN",
                    holder,
                    self.main,
                    {"role": "interessent"},
                    0.7,
                    rule,
                    [intro_no, ln.no],
                )
            return
        if re.search(r"finansiering|tildeling|bevilg|midler", low):
            rule = "liste:finansiering"
            for ln in items:
                text = _BULLET.sub("", ln.text).strip()
                found = amounts(text)
                if not found:
                    continue
                head = re.split(r"[:,]", text, maxsplit=1)[0].strip()
                funder = self._funder(head, ln.no, 0.8)
                value, _, end = found[0]
                year = re.search(r"\b(?:for|i)\s+((?:19|20)\d{2})\b", text[end : end + 20])
                props: dict[str, Any] = {"amount_nok": value, "note": text}
                if year:
                    props["year"] = int(year.group(1))
                self.rel("FUNDS", funder, self.main, props, 0.8, rule, [intro_no, ln.no])
            return
        if re.search(r"aktører|samarbeidspartner|partnere|aktørar", low):
            rule = "liste:aktører"
            for ln in items:
                text = _BULLET.sub("", ln.text).strip()
                words = words_of(text, [ln.no] * (len(text) + 1))
                munis = self.gaz.find(words, {"Municipality"})
                if re.search(r"kommun", text, re.IGNORECASE) and re.search(r"eksempel|som", text):
                    tail = re.split(r"for eksempel|som\b", text)[-1]
                    for item, _ in _split_items(tail):
                        hit = next((m for m in munis if m.entry.name in item), None)
                        if hit is not None:
                            row = self._rows[hit.entry.id]
                            who: Ref | None = self.municipality(row, [ln.no], 0.75, rule)
                        elif re.fullmatch(rf"[{_UP}][{_LO}]+", item):
                            who = self.entity(
                                "Organisation",
                                item,
                                {"org_type": "municipality"},
                                lines=[ln.no],
                                conf=0.6,
                                rule=rule,
                                kinds=("Organisation",),
                            )
                        else:
                            continue
                        self.rel(
                            "PARTNER_IN",
                            who,
                            self.main,
                            {"role": "annen aktør"},
                            0.7,
                            rule,
                            [intro_no, ln.no],
                            item,
                        )
                    continue
                head = text.split(",", 1)[0].strip()
                org = self._owner(head, [ln.no], rule, 0.75, "Organisation")
                self.rel(
                    "PARTNER_IN",
                    org,
                    self.main,
                    {"role": "annen aktør"},
                    0.75,
                    rule,
                    [intro_no, ln.no],
                )
                m = re.search(rf"særlig\s+({_NAME_WORD}(?:\s+{_NAME_WORD})*)", text)
                if m:
                    org2 = self._owner(m.group(1), [ln.no], rule, 0.75, "Organisation")
                    self.rel(
                        "PARTNER_IN",
                        org2,
                        self.main,
                        {"role": "annen aktør"},
                        0.75,
                        rule,
                        [intro_no, ln.no],
                    )
            return

    # ---- checks and mentions ----------------------------------------------------------------

    def _count_checks(self) -> None:
        listed = getattr(self, "_listed_projects", [])
        if not listed:
            return
        words = {"to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8}
        for sentence, line, _, _ in self.sentences():
            for m in re.finditer(
                r"\b(\d+|" + "|".join(words) + r")\s+prosjekt(?:ene|er)\b", sentence, re.IGNORECASE
            ):
                n = int(m.group(1)) if m.group(1).isdigit() else words[m.group(1).lower()]
                if n != len(listed):
                    self.warnings.append(
                        f"Datakvalitet: {self.doc.name}:{line} sier «{m.group(0)}», men "
                        f"dokumentet lister {len(listed)} (linje {listed[0]}–{listed[-1]})"
                    )

    def _mentions(self) -> None:
        doc_ref = self.document_ref
        for p in self.paragraphs:
            words = self.words(p)
            for m in self.gaz.find(words, MENTION_KINDS):
                e = m.entry
                w0 = words[m.start]
                line = w0.line
                who = Ref(e.kind, e.id, e.name, e.kommunenummer, known=e.id in self.known_ids)
                if e.kind == "Municipality" and not who.known:
                    row = self._rows[e.id]
                    who = self.municipality(row, [line], m.confidence, f"omtale:{HOW_NO[m.how]}")
                snippet = _snippet(p.text, w0.start, words[m.end - 1].end)
                self.facts.add_rel(
                    "MENTIONED_IN",
                    who,
                    doc_ref,
                    {"line": line, "snippet": snippet},
                    m.confidence,
                    f"omtale:{HOW_NO[m.how]}",
                    [line],
                    snippet,
                    self.page(line),
                )

    @property
    def document_ref(self) -> Ref:
        node = make_node("Document", self.doc.name)
        return Ref("Document", node.id, self.doc.name, known=node.id in self.known_ids)


def _is_stakeholder_heading(text: str) -> bool:
    """ "4. INTERESSENTER" (also with the template's typo "INTERESSENER")."""
    bare = re.sub(r"^[\d.\s]+", "", text).casefold()
    return bool(bare) and len(bare) < 30 and fuzz.ratio(bare, "interessenter") >= 85


def _snippet(text: str, start: int, end: int, width: int = 60) -> str:
    a = max(0, start - width)
    b = min(len(text), end + width)
    return ("…" if a else "") + text[a:b].strip() + ("…" if b < len(text) else "")


def _split_items(text: str) -> list[tuple[str, list[str]]]:
    """ "A, B (C, D) og E: F" → [(A, []), (B, [C, D]), (E, []), (F, [])]."""
    items: list[tuple[str, list[str]]] = []
    depth, cur, groups = 0, "", []
    parts: list[tuple[str, str]] = []
    for ch in text:
        if ch == "(":
            depth += 1
            groups.append("")
            continue
        if ch == ")":
            depth = max(0, depth - 1)
            continue
        if depth:
            groups[-1] += ch
            continue
        if ch in ",;:":
            parts.append((cur, "|".join(groups)))
            cur, groups = "", []
        else:
            cur += ch
    parts.append((cur, "|".join(groups)))
    for head, inner in parts:
        for piece in re.split(r"\s+og\s+", head.strip()):
            piece = piece.strip(" .*")
            if piece:
                members = [
                    x.strip(" .")
                    for g in inner.split("|")
                    if g
                    for x in re.split(r",|\s+og\s+", g)
                    if x.strip(" .")
                ]
                items.append((piece, members))
                inner = ""
    return items
