"""BI tools reach the published copy through a read-only SQLAlchemy URL; analysts get Parquet files of the marts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
import sqlalchemy as sa

from warehouse.access import export_marts_parquet, mart_names, serving_engine, serving_url
from warehouse.db import Warehouse
from warehouse.publish import publish_snapshot


@pytest.fixture
def serving(demo_warehouse: Warehouse, tmp_path: Path) -> Path:
    path = tmp_path / "serving.duckdb"
    with demo_warehouse.connect() as con:
        publish_snapshot(con, path)
    return path


def test_sqlalchemy_url_reads_marts_with_pandas(serving: Path, demo_warehouse: Warehouse) -> None:
    url = serving_url(serving)
    assert url.startswith("duckdb:///") and url.endswith("?access_mode=read_only")
    engine = sa.create_engine(url)
    frame = pd.read_sql("SELECT * FROM marts.bill_latest ORDER BY jurisdiction, session, bill_id", engine)
    expected = demo_warehouse.query_df("SELECT * FROM marts.bill_latest ORDER BY jurisdiction, session, bill_id")
    assert frame["latest_version_id"].tolist() == expected["latest_version_id"].tolist()
    inspector = sa.inspect(engine)  # what a BI tool lists
    assert {"bill_latest", "data_health"} <= {*inspector.get_table_names(schema="marts"),
                                              *inspector.get_view_names(schema="marts")}


def test_sqlalchemy_url_refuses_writes(serving: Path) -> None:
    with serving_engine(serving).connect() as connection:
        with pytest.raises(sa.exc.DBAPIError, match="read-only|read only"):
            connection.exec_driver_sql("DELETE FROM core.bills")


def test_engine_sees_a_newer_publish_without_reconnecting(serving: Path, demo_warehouse: Warehouse) -> None:
    engine = serving_engine(serving)
    before = pd.read_sql("SELECT count(*) AS n FROM marts.alerts_feed", engine)["n"].iloc[0]
    with demo_warehouse.connect() as con:
        con.execute("DELETE FROM alerts.outbox WHERE version_id IN "
                    "(SELECT version_id FROM core.bill_versions WHERE jurisdiction = 'US')")
        publish_snapshot(con, serving)
    after = pd.read_sql("SELECT count(*) AS n FROM marts.alerts_feed", engine)["n"].iloc[0]
    assert 0 < after < before


def test_parquet_export_writes_every_mart_whole(serving: Path, tmp_path: Path) -> None:
    written = export_marts_parquet(serving, tmp_path / "parquet")
    with duckdb.connect(str(serving), read_only=True) as con:
        assert sorted(written) == mart_names(con)
        for name, path in written.items():
            view = con.execute(f"SELECT * FROM marts.{name}").df()
            exported = con.execute("SELECT * FROM read_parquet(?)", [str(path)]).df()
            assert list(exported.columns) == list(view.columns)
            assert len(exported) == len(view)
    assert not [p for p in (tmp_path / "parquet").iterdir() if p.suffix != ".parquet"]
