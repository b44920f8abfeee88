"""Reviews' metrics for /metrics: response figures per severity (non-drill)
as gauges of quantiles and as histograms per severity and type, reviews by
state and action items open and overdue.

Everything is computed from ``review_figures`` at scrape time by the same
tables the API reads, rather than observed in-process: with several API
processes an in-process histogram would only know the incidents that process
saw (and would count a figure again each time an incident is recomputed).
The histograms (``warroom_incident_<metric>_seconds``) are therefore
cumulative over every non-drill incident on record, so ``histogram_quantile``
over them gives the same kind of answer as the API's percentiles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.utils import floatToGoString
from sqlalchemy import func, select

from warroom import clock
from warroom.reviews import aggregate
from warroom.reviews.models import Review

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session


def collect(session: Session) -> Iterator[Metric]:
    now = clock.now()
    result = aggregate.response(session, aggregate.Query(by="severity"), now=now)
    quantiles = GaugeMetricFamily("warroom_response_seconds",
                                  "Response figures of non-drill incidents by severity",
                                  labels=["severity", "metric", "quantile"])
    counts = GaugeMetricFamily("warroom_response_incidents",
                               "Incidents with a figure, by severity and metric",
                               labels=["severity", "metric"])
    met = GaugeMetricFamily("warroom_response_target_met_ratio",
                            "Share of acknowledged incidents that met their response target",
                            labels=["severity"])
    for group in result["groups"]:
        for metric, figures in group["metrics"].items():
            if result["units"][metric] != "seconds":
                continue
            counts.add_metric([group["key"], metric], figures["n"])
            for quantile in ("p50", "p90"):
                if figures[quantile] is not None:
                    quantiles.add_metric([group["key"], metric, f"0.{quantile[1:]}"],
                                         figures[quantile])
        if group["target_met_rate"] is not None:
            met.add_metric([group["key"]], group["target_met_rate"])
    yield from (quantiles, counts, met)
    yield from histograms(session)
    states = GaugeMetricFamily("warroom_reviews", "Post-incident reviews by state",
                               labels=["state"])
    for state, n in session.execute(select(Review.state, func.count()).group_by(Review.state)):
        states.add_metric([state], n)
    yield states
    items = result["action_items"]
    yield GaugeMetricFamily("warroom_action_items_open", "Open action items",
                            value=items["open"])
    yield GaugeMetricFamily("warroom_action_items_overdue", "Overdue open action items",
                            value=items["overdue"])


def histograms(session: Session) -> Iterator[Metric]:
    """One histogram per duration figure, labelled by severity and type."""
    families: dict[str, HistogramMetricFamily] = {}
    for row in aggregate.histograms(session):
        metric = row["metric"]
        family = families.get(metric)
        if family is None:
            family = families[metric] = HistogramMetricFamily(
                f"warroom_incident_{metric}_seconds",
                f"{metric.replace('_', ' ').capitalize()} of non-drill incidents (seconds)",
                labels=["severity", "type"])
        buckets = [(floatToGoString(b), float(c)) for b, c in row["buckets"]]
        buckets.append(("+Inf", float(row["count"])))
        family.add_metric([row["severity"], row["type"]], buckets, row["sum"])
    yield from families.values()
