"""The dashboards' quick paths give what the slow ones gave: one URL prefix for a table's links,
a row's number cells, charts kept per value; and each dashboard reads its region, breadcrumbs,
child regions (named) and recent steps in a fixed, small number of statements."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from perdes.monitoring.charts import Bar, bar_chart
from perdes.monitoring.figures import FUNNEL_KEYS, Figures, figure_cells
from perdes.tracking.stages import Stage
from perdes.web.templating import (
    _FIGURE_CLASSES,
    FIGURE_PERCENT,
    angka,
    figure_numbers,
    path_prefix,
    url_path,
)
from tests.factories import LONTAR
from tests.monitoring.helpers import set_state
from tests.web.test_village_page_queries import reads, statements

CODES = st.from_regex(r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?", fullmatch=True)


def test_a_link_from_the_prefix_equals_path_for(app):
    context = {"request": SimpleNamespace(app=app)}

    @settings(max_examples=50, deadline=None)
    @given(code=CODES)
    def check(code: str) -> None:
        for name in ("monitoring_region", "village_detail"):
            assert path_prefix(context, name, "kode") + code == url_path(app, name, {"kode": code})

    check()


def test_a_route_whose_parameter_is_not_last_has_no_prefix(app):
    context = {"request": SimpleNamespace(app=app)}
    assert path_prefix(context, "monitoring_table_export", "fmt") == "/pemantauan/tabel."
    with pytest.raises(ValueError, match="does not end with its parameter"):
        path_prefix(context, "draft_list", "kode")  # /desa/{kode}/rancangan


def reference_numbers(figures: Figures) -> str:
    """The row's number cells as the template wrote them before: one escaped cell at a time."""
    cells = []
    for index, value in enumerate(figure_cells(figures)[2:], start=2):
        text = angka(value) + (" %" if index == FIGURE_PERCENT and value is not None else "")
        cells.append(f'<td class="{_FIGURE_CLASSES[index]}">{escape(text)}</td>')
    return "".join(cells)


counts = st.integers(min_value=0, max_value=10**7)


@settings(max_examples=100, deadline=None)
@given(
    desa=counts,
    kelurahan=counts,
    started=st.lists(counts, min_size=len(FUNNEL_KEYS), max_size=len(FUNNEL_KEYS)),
    promulgated=counts,
    scores=st.tuples(st.floats(min_value=0, max_value=10**9), counts),
    others=st.tuples(counts, counts, counts),
)
def test_a_rows_number_cells_equal_the_cell_by_cell_rendering(
    desa, kelurahan, started, promulgated, scores, others
):
    figures = Figures(code="33", name="Jawa Tengah", desa=desa, kelurahan=kelurahan)
    figures.stages = dict(zip(FUNNEL_KEYS, started, strict=True))
    figures.promulgated = promulgated
    figures.score_sum, figures.score_count = scores
    figures.qualified, figures.waiting, figures.overdue = others
    assert str(figure_numbers(figures)) == reference_numbers(figures)


def test_a_kept_chart_tells_an_integer_from_an_equal_float():
    def chart(value: int | float) -> str:
        return bar_chart([Bar("Aceh", value)], title="T", description="D", chart_id="c")

    assert ">1<" in chart(1) and ">1,0<" in chart(1.0) and ">1<" in chart(1)
    assert chart(2) is chart(2)  # the same figures: the same chart, not drawn again


# The dashboard's own statements, the session and principal (cached) aside: the rollup sums with
# the child regions' names, the recent steps; for a region, the region with its ancestors too.
STATEMENTS = {"/pemantauan": 2, "/pemantauan/wilayah/36": 3, "/pemantauan/wilayah/36.04": 3}


@pytest.mark.parametrize("path", STATEMENTS)
def test_a_dashboard_reads_in_a_fixed_number_of_statements(client, db, regions, connection, path):
    set_state(db, LONTAR, stage=Stage.PENYUSUNAN, score=50.0)
    db.commit()
    client.login_as(db, "admin")
    assert client.get(path).status_code == 200  # warm: the principal cache, the session touch
    with statements(connection) as seen:
        page = client.get(path)
    assert page.status_code == 200
    ours = [s for s in reads(seen) if "login_session" not in s and "user_account" not in s]
    assert len(ours) == STATEMENTS[path], ours
    assert not any(s.startswith("SELECT region.code, region.name FROM region") for s in ours)


OLD_LOOP = """    {% for f in children %}
    <tr data-code="{{ f.code }}">
      <td class="opt">{{ f.code }}</td>
      <td><a href="{{ path_for('monitoring_region', kode=f.code) }}">{{ f.name }}</a></td>
      {{ f|figure_numbers }}
    </tr>
    {% endfor %}
    </tbody>"""


def test_the_region_rows_equal_the_template_loop_they_replace(app):
    children = [
        Figures(code="36", name="Banten", desa=1552, promulgated=3),
        Figures(code="36.04", name='Serang <script>"&', kelurahan=2),
        Figures(code="36.04.13", name=""),
    ]
    env = app.state.templates.env
    request = SimpleNamespace(app=app)
    loop = env.from_string(OLD_LOOP).render(children=children, request=request)
    rows = env.from_string(
        "    {{ children|figure_rows(path_prefix('monitoring_region', 'kode')) }}\n    </tbody>"
    ).render(children=children, request=request)
    assert rows == loop
    assert "Serang &lt;script&gt;&#34;&amp;" in rows
