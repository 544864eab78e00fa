"""Charts whose colours carry meaning: drifting away from the model reads as bad (red), toward it as good (green)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.tables import RECIPIENT_GROUPS

DIRECTION_COLOURS = {"Drifting away": "#c62828", "Toward the model": "#2e7d32", "Mixed": "#ef6c00",
                     "No change": "#9e9e9e", "Not amended / first version": "#bdbdbd"}
GROUP_COLOURS = {"Police and sheriffs": "#1f3b73", "Prosecutors": "#5c6bc0", "Courts and corrections": "#8e7cc3",
                 "Health and service providers": "#2e7d32", "Universities and evaluators": "#80cbc4",
                 "General government": "#bdbdbd", "Type unknown": "#eeeeee"}
LENSES = {"model_score": "LEAD model", "organizer_score": "Organizer lens"}


def direction_bars(frame: pd.DataFrame, index: str, columns: dict[str, str], axis_title: str, count_title: str) -> alt.Chart:
    """Stacked counts per `index`, one colour per direction ({column: direction name})."""
    long = frame.melt(id_vars=[index], value_vars=list(columns), var_name="column", value_name="count")
    long["direction"] = long["column"].map(columns)
    names = list(columns.values())
    return alt.Chart(long[long["count"] > 0]).mark_bar().encode(
        x=alt.X(f"{index}:N", title=axis_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("count:Q", title=count_title, axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("direction:N", title=None, sort=names,
                        scale=alt.Scale(domain=names, range=[DIRECTION_COLOURS[n] for n in names])),
        tooltip=[index, "direction", "count"],
    ).properties(height=260)


def fidelity_chart(versions: pd.DataFrame) -> alt.Chart:
    """Fidelity per version in both lenses; unscored versions are left out rather than breaking the line."""
    scores = versions.melt(id_vars=["version_no", "version_label"], value_vars=list(LENSES),
                           var_name="lens", value_name="fidelity").dropna(subset=["fidelity"])
    scores["lens"] = scores["lens"].map(LENSES)
    return alt.Chart(scores).mark_line(point=True).encode(
        x=alt.X("version_no:O", title="version (in legislative order)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("fidelity:Q", scale=alt.Scale(domain=[-1, 1]), title="fidelity (-1 to 1)"),
        color=alt.Color("lens:N", title=None),
        tooltip=["version_label", "lens", alt.Tooltip("fidelity:Q", format="+.2f")],
    ).properties(height=220)


def recipient_share_chart(funding: pd.DataFrame) -> alt.Chart:
    """Each state's awarded money split by recipient group, as shares that add up to 100%."""
    by_state = funding.groupby(["jurisdiction", "recipient_type"], as_index=False)["amount"].sum()
    by_state = by_state[by_state["amount"] > 0].assign(group=lambda f: f["recipient_type"].map(RECIPIENT_GROUPS))
    groups = [g for g in GROUP_COLOURS if g in set(by_state["group"])]
    return alt.Chart(by_state).mark_bar().encode(
        x=alt.X("jurisdiction:N", title="state (US: federal money naming no state)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("amount:Q", stack="normalize", title="share of awarded money", axis=alt.Axis(format="%")),
        color=alt.Color("group:N", title="recipient", sort=groups, legend=alt.Legend(labelLimit=260),
                        scale=alt.Scale(domain=groups, range=[GROUP_COLOURS[g] for g in groups])),
        tooltip=["jurisdiction", "group", alt.Tooltip("amount:Q", format="$,.0f")],
    ).properties(height=280)
