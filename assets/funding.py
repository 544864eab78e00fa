"""FOLLOW THE MONEY assets: opportunities, awards, sub-awards, recipient types and links to what authorizes the money."""

import json

import dagster as dg
import pandas as pd

from pathlib import Path

from analysis.money.links import ClauseRef, FundingItem, Program, link_all, link_stated_bills
from analysis.money.recipients import classify_with_stated_kind, normalize_name
from assets.funding_support import (FundingSources, as_tuple, import_records, now, record_run, records_frame, result, save,
                                    with_relevance)
from sources.announcements import AnnouncementWatcher, Vocabulary
from sources.federalregister import FederalRegister
from sources.grantsgov import GrantsGov
from sources.usaspending import UsaSpending
from warehouse.db import Warehouse

GROUP = "funding"
KINDS = {"python", "duckdb"}


@dg.asset(group_name=GROUP, kinds=KINDS, description="Grants.gov and Federal Register funding notices, and watched state announcements.")
def funding_opportunities(context: dg.AssetExecutionContext, warehouse: Warehouse, funding: FundingSources) -> dg.MaterializeResult:
    settings = funding.settings()
    gg, fr = settings["grantsgov"], settings["federalregister"]
    connectors = {
        "grantsgov": lambda http: GrantsGov(http, base_url=funding.endpoint("grantsgov"), rows=gg.get("rows", 25),
                                            max_pages=gg.get("max_pages", 4)
                                            ).harvest(gg.get("keywords", []), gg.get("assistance_listings", [])),
        "federalregister": lambda http: FederalRegister(http, base_url=funding.endpoint("federalregister"),
                                                        since=fr.get("since", "2016-01-01"), max_pages=fr.get("max_pages", 3)
                                                        ).harvest(fr.get("terms", [])),
    }
    counts: dict[str, int] = {}
    frames = []
    for source, connect in connectors.items():
        client = funding.client()
        harvest = connect(client)
        frame = records_frame(harvest.records, loaded_at=now(), replayed=funding.replayed)
        frame = with_relevance(frame, settings, "title", "description") if not frame.empty else frame
        counts[f"{source}_opportunities"] = save(warehouse, "funding.opportunities", frame, {"source": source}, bool(harvest.errors))
        counts[f"{source}_errors"] = len(harvest.errors)
        record_run(warehouse, context, client, source, harvest)
        frames.append(frame)
    counts.update(_watch_announcements(context, warehouse, funding, settings))
    preview = pd.concat([f for f in frames if not f.empty] or [pd.DataFrame()])
    columns = ["source", "number", "title", "close_date", "diversion_related"]
    return result(counts, preview[columns] if not preview.empty else preview)


def _watch_announcements(context: dg.AssetExecutionContext, warehouse: Warehouse, funding: FundingSources,
                         settings: dict) -> dict[str, int]:
    """Each jurisdiction's watched pages are read and recorded together; a page that fails keeps its previous rows."""
    ann_cfg = settings.get("announcements", {})
    vocabulary = Vocabulary({k: tuple(v) for k, v in ann_cfg.get("programs", {}).items()},
                            tuple(ann_cfg.get("applicant_terms", [])), tuple(ann_cfg.get("feed_keywords", [])))
    counts = {"announcements": 0, "announcement_errors": 0}
    pages = funding.pages()
    for jurisdiction in sorted({p.jurisdiction for p in pages}):
        group = [p for p in pages if p.jurisdiction == jurisdiction]
        client = funding.client()
        harvest = AnnouncementWatcher(client, group, vocabulary).harvest()
        frame = records_frame(harvest.records, loaded_at=now(), replayed=funding.replayed)
        if not frame.empty:
            frame = with_relevance(frame, settings, "title", "text").drop(columns=["text"])
            frame["awards"] = frame["awards"].map(json.dumps)
        failed = {e.item for e in harvest.errors}
        for page in group:
            rows = frame[frame["source"] == page.name] if not frame.empty else pd.DataFrame()
            save(warehouse, "funding.announcements", rows, {"source": page.name}, page.name in failed)
        record_run(warehouse, context, client, "announcements", harvest, jurisdiction)
        counts["announcements"] += len(frame)
        counts["announcement_errors"] += len(harvest.errors)
    return counts


@dg.asset(group_name=GROUP, kinds=KINDS, deps=[funding_opportunities],
          description="Prime awards: USAspending grants by keyword and listing, plus state grants announced on watched pages.")
def awards(context: dg.AssetExecutionContext, warehouse: Warehouse, funding: FundingSources) -> dg.MaterializeResult:
    settings, client = funding.settings(), funding.client()
    us = settings["usaspending"]
    harvest = UsaSpending(client, base_url=funding.endpoint("usaspending"), max_pages=us.get("max_pages", 3),
                          start_date=us.get("start_date", "2007-10-01"), end_date=us.get("end_date", "2026-09-30")
                          ).harvest_awards(us.get("keywords", []), us.get("program_numbers", []))
    federal = records_frame(harvest.records, loaded_at=now(), replayed=funding.replayed)
    if not federal.empty:
        federal = with_relevance(federal, settings, "description")
        federal["recipient_key"] = federal["recipient_name"].map(normalize_name)
    save(warehouse, "funding.awards", federal, {"source": "usaspending"}, bool(harvest.errors))
    record_run(warehouse, context, client, "usaspending", harvest)
    announced = _announced_awards(warehouse)
    warehouse.replace_partition("funding.awards", announced, {"source": "announcement"})
    records = [import_records(warehouse, path, settings, context.run.run_id)
               for path in (sorted(Path(funding.records_dir).glob("*.csv")) if funding.records_dir else [])]
    both = pd.concat([f for f in (federal, announced) if not f.empty] or [pd.DataFrame()])
    counts = {"usaspending_awards": len(federal), "announced_awards": len(announced),
              "record_rows": sum(len(r.records) for r in records), "record_row_errors": sum(len(r.errors) for r in records),
              "errors": len(harvest.errors),
              "diversion_related": int(both["diversion_related"].sum()) if not both.empty else 0}
    columns = ["source", "recipient_name", "amount", "state", "fiscal_year", "diversion_related"]
    return result(counts, both[columns] if not both.empty else both)


def _announced_awards(warehouse: Warehouse) -> pd.DataFrame:
    """Each 'recipient gets amount' statement on a watched page becomes an award with that page's provenance."""
    pages = warehouse.query_df("SELECT * FROM funding.announcements ORDER BY source, link")
    rows = []
    for page in pages.itertuples():
        for stated in json.loads(page.awards or "[]"):
            rows.append({
                "source": "announcement", "award_id": f"{page.source}:{normalize_name(stated['recipient'])}:{stated['amount']:.0f}",
                "recipient_name": stated["recipient"], "recipient_key": normalize_name(stated["recipient"]),
                "amount": stated["amount"], "state": page.jurisdiction,
                "fiscal_year": None if pd.isna(page.fiscal_year) else int(page.fiscal_year),
                "awarding_agency": page.agency, "description": f"{page.program}: {stated['evidence']}",
                "opportunity_number": "", "diversion_related": bool(page.diversion_related),
                "relevance_evidence": page.relevance_evidence, "url": page.url, "fetched_at": page.fetched_at,
                "sha256": page.sha256, "loaded_at": now(), "replayed": bool(page.replayed),
            })
    return pd.DataFrame(rows).drop_duplicates(subset=["award_id"]) if rows else pd.DataFrame()


@dg.asset(group_name=GROUP, kinds=KINDS, deps=[awards], description="Sub-awards of diversion-related federal prime awards.")
def subawards(context: dg.AssetExecutionContext, warehouse: Warehouse, funding: FundingSources) -> dg.MaterializeResult:
    client = funding.client()
    primes = warehouse.query_df(
        "SELECT award_id FROM funding.awards WHERE source = ? AND diversion_related "
        "AND coalesce(subaward_count, 1) > 0 ORDER BY award_id", ["usaspending"])
    harvest = UsaSpending(client, base_url=funding.endpoint("usaspending")).harvest_subawards(primes["award_id"])
    frame = records_frame(harvest.records, prime_source="usaspending", loaded_at=now(), replayed=funding.replayed)
    if not frame.empty:
        frame["recipient_key"] = frame["recipient_name"].map(normalize_name)
    save(warehouse, "funding.subawards", frame, {"source": "usaspending"}, bool(harvest.errors))
    record_run(warehouse, context, client, "usaspending_subawards", harvest)
    counts = {"primes_checked": len(primes), "subawards": len(frame), "errors": len(harvest.errors)}
    return result(counts, frame[["prime_award_id", "recipient_name", "amount"]] if not frame.empty else frame)


@dg.asset(group_name=GROUP, kinds=KINDS, deps=[awards, subawards], description="Every recipient typed by explainable rules.")
def recipients(warehouse: Warehouse) -> dg.MaterializeResult:
    counts: dict[str, int] = {}
    previews = []
    for source, sql in (
        ("awards", "SELECT recipient_name AS name, any_value(recipient_categories) AS categories, "
                   "coalesce(any_value(recipient_kind_stated), '') AS stated FROM funding.awards GROUP BY ALL ORDER BY name"),
        ("subawards", "SELECT recipient_name AS name, NULL AS categories, '' AS stated FROM funding.subawards GROUP BY ALL "
                      "ORDER BY name"),  # ordered, so the same spelling of a recipient is kept every run
    ):
        names = warehouse.query_df(sql)
        rows = []
        for row in names.itertuples():
            categories = list(as_tuple(row.categories))
            typed = classify_with_stated_kind(row.name, row.stated, categories)
            rows.append({"source": source, "recipient_key": typed.normalized, "name": row.name, "recipient_type": typed.type,
                         "rule": typed.rule, "matched": typed.matched,
                         "categories": categories, "loaded_at": now()})
        frame = pd.DataFrame(rows).drop_duplicates(subset=["recipient_key"]) if rows else pd.DataFrame()
        counts[f"{source}_recipients"] = warehouse.replace_partition("funding.recipients", frame, {"source": source})
        previews.append(frame)
    preview = pd.concat([p for p in previews if not p.empty] or [pd.DataFrame()])
    return result(counts, preview[["name", "recipient_type", "rule"]] if not preview.empty else preview)


def _programs(settings: dict) -> list[Program]:
    return [Program(id=p["id"], name=p["name"], jurisdiction=p["jurisdiction"], aliases=tuple(p.get("aliases", [])),
                    listings=tuple(p.get("listings", [])), statutes=tuple(p.get("statutes", [])),
                    bills=tuple(p.get("bills", [])), years=tuple(p["years"]) if p.get("years") else None)
            for p in settings.get("programs", [])]


def _funding_items(warehouse: Warehouse) -> list[FundingItem]:
    """Diversion-related opportunities, awards and announcements, reduced to what linking reads."""
    opportunities = warehouse.query_df(
        "SELECT source, opportunity_id AS id, title || '\n' || coalesce(description, '') AS text, assistance_listings, "
        "year(coalesce(open_date, close_date)) AS year FROM funding.opportunities WHERE diversion_related")
    money = warehouse.query_df(
        "SELECT source, award_id AS id, coalesce(state, '') AS state, description AS text, assistance_listings, fiscal_year "
        "FROM funding.awards WHERE diversion_related")
    pages = warehouse.query_df(
        "SELECT source, link AS id, jurisdiction, coalesce(title, '') || '\n' || coalesce(program, '') AS text, fiscal_year "
        "FROM funding.announcements WHERE diversion_related")
    def year(value: object) -> int | None:
        return None if pd.isna(value) else int(value)
    items = [FundingItem("opportunity", r.source, r.id, "US", r.text, as_tuple(r.assistance_listings), year(r.year))
             for r in opportunities.itertuples()]
    items += [FundingItem("award", r.source, r.id, r.state or "US", r.text or "", as_tuple(r.assistance_listings),
                          year(r.fiscal_year)) for r in money.itertuples()]
    items += [FundingItem("announcement", r.source, r.id, r.jurisdiction, r.text, (), year(r.fiscal_year))
              for r in pages.itertuples()]
    return items


def _stated_bill_links(warehouse: Warehouse) -> list:
    """Records that name their authorizing law, tied to the tracked bill it names."""
    stated = warehouse.query_df(
        "SELECT source, award_id, coalesce(nullif(state, ''), 'US') AS state, description, authorizing_law "
        "FROM funding.awards WHERE coalesce(authorizing_law, '') <> '' ORDER BY source, award_id")
    bills = [tuple(b) for b in warehouse.query_df("SELECT jurisdiction, session, bill_id FROM core.bills").itertuples(index=False)]
    return [link for r in stated.itertuples()
            for link in link_stated_bills(FundingItem("award", r.source, r.award_id, r.state, r.description or ""),
                                          r.authorizing_law, bills)]


@dg.asset(group_name=GROUP, kinds=KINDS, deps=[funding_opportunities, awards, "clauses"],
          description="Money linked to the programs and bill clauses that authorize it, with evidence and confidence.")
def funding_links(warehouse: Warehouse, funding: FundingSources) -> dg.MaterializeResult:
    clauses = warehouse.query_df(
        "SELECT c.version_id || '#' || c.clause_no AS clause_id, c.jurisdiction, c.text, c.fiscal_years "
        "FROM analysis.clauses c WHERE EXISTS (SELECT 1 FROM analysis.clause_labels l WHERE l.version_id = c.version_id "
        "AND l.clause_no = c.clause_no AND l.category IN (?, ?, ?))",
        ["law_enforcement_funding", "services_funding", "funding_other"])
    refs = [ClauseRef(r.clause_id, r.jurisdiction, r.text, as_tuple(r.fiscal_years)) for r in clauses.itertuples()]
    found = link_all(_funding_items(warehouse), _programs(funding.settings()), refs) + _stated_bill_links(warehouse)
    frame = pd.DataFrame([{"item_kind": link.item.kind, "item_source": link.item.source, "item_id": link.item.item_id,
                           "target_kind": link.target_kind, "target_id": link.target_id,
                           "jurisdiction": link.item.jurisdiction, "methods": list(link.methods),
                           "evidence": link.evidence, "confidence": link.confidence, "loaded_at": now()}
                          for link in found])
    counts = {}
    for kind in ("opportunity", "award", "announcement"):
        part = frame[frame["item_kind"] == kind] if not frame.empty else pd.DataFrame()
        counts[f"{kind}_links"] = warehouse.replace_partition("funding.links", part, {"item_kind": kind})
    counts["clauses_considered"] = len(refs)
    columns = ["item_kind", "item_id", "target_kind", "target_id", "confidence", "evidence"]
    return result(counts, frame[columns] if not frame.empty else frame)


@dg.asset_check(asset=awards, description="Amounts are never negative and every award carries its response's hash.")
def awards_are_sound(warehouse: Warehouse) -> dg.AssetCheckResult:
    bad = warehouse.query_df("SELECT count(*) AS n FROM funding.awards WHERE amount < 0 OR sha256 = '' OR url = ''")["n"][0]
    return dg.AssetCheckResult(passed=bool(bad == 0), metadata={"bad_rows": int(bad)})


@dg.asset_check(asset=subawards, description="Sub-awards of one prime never add up to more than the prime award.")
def subawards_within_prime(warehouse: Warehouse) -> dg.AssetCheckResult:
    over = warehouse.query_df(
        "WITH one AS (SELECT prime_source, prime_award_id, max(amount) AS amount FROM funding.subawards "
        "GROUP BY prime_source, prime_award_id, coalesce(nullif(subaward_number, ''), subaward_id)) "
        "SELECT count(*) AS n FROM (SELECT a.award_id FROM one s JOIN funding.awards a "
        "ON a.source = s.prime_source AND a.award_id = s.prime_award_id GROUP BY a.award_id, a.amount "
        "HAVING sum(s.amount) > a.amount)")["n"][0]
    return dg.AssetCheckResult(passed=bool(over == 0), severity=dg.AssetCheckSeverity.WARN,
                               metadata={"primes_over_passed": int(over)})


@dg.asset_check(asset=recipients, description="Every award and sub-award recipient has a type and the rule that gave it.")
def recipients_all_typed(warehouse: Warehouse) -> dg.AssetCheckResult:
    missing = warehouse.query_df(
        "SELECT count(*) AS n FROM (SELECT recipient_key, 'awards' AS s FROM funding.awards UNION "
        "SELECT recipient_key, 'subawards' FROM funding.subawards) k LEFT JOIN funding.recipients r "
        "ON r.source = k.s AND r.recipient_key = k.recipient_key WHERE r.rule IS NULL")["n"][0]
    return dg.AssetCheckResult(passed=bool(missing == 0), metadata={"untyped": int(missing)})


FUNDING_ASSETS = [funding_opportunities, awards, subawards, recipients, funding_links]
FUNDING_CHECKS = [awards_are_sound, subawards_within_prime, recipients_all_typed]
