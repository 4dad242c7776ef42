import pytest
from django.template import Context, Template

from advocacy.branding.templatetags.ui import initials, label_table
from tests.factories import UserFactory


def test_initials_take_the_first_and_last_words():
    assert initials("Alice Archer") == "AA"
    assert initials("Chloé de la Moreau") == "CM"
    assert initials("casey") == "CA"
    assert initials("") == "?"


@pytest.mark.django_db
def test_the_avatar_shows_initials_without_a_photo():
    user = UserFactory(display_name="Priya Iyer")
    html = Template("{% load ui %}{% avatar user size='lg' %}").render(Context({"user": user}))
    assert "avatar-initials" in html and "avatar-lg" in html and ">PI<" in html
    assert 'aria-hidden="true"' in html


def test_datatable_labels_each_body_cell_by_its_column():
    html = label_table(
        '<table class="table">\n<thead><tr><th>Name</th><th colspan="2">Shares &amp; clicks</th></tr></thead>\n'
        '<tbody><tr><th scope="row">Alice</th><td>1</td><td data-label="Kept">2</td></tr></tbody></table>'
    )
    assert html.startswith('<table class="data-table table">')
    assert '<th data-label="Name" scope="row">Alice</th>' in html
    assert '<td data-label="Shares &amp; clicks">1</td>' in html
    assert '<td data-label="Kept">2</td>' in html


def test_the_datatable_tag_wraps_a_rendered_table():
    template = Template(
        "{% load ui %}{% datatable %}<table class='x'><thead><tr><th>A</th></tr></thead>"
        "<tbody>{% for v in values %}<tr><td>{{ v }}</td></tr>{% endfor %}</tbody></table>{% enddatatable %}"
    )
    html = template.render(Context({"values": [1, 2]}))
    assert html.count('data-label="A"') == 2


def test_the_page_header_tag_renders_the_component_with_markup_in_title_lede_and_actions():
    html = Template(
        "{% load ui %}{% page_header %}Points of {{ name }}{% lede %}Total <strong>{{ total }}</strong>"
        '{% actions %}<a class="button" href="/x">Export</a>{% endpage_header %}'
    ).render(Context({"name": "Ann <b>", "total": 5}))
    assert '<header class="page-header">' in html
    assert "<h1>Points of Ann &lt;b&gt;</h1>" in html  # the page's variables stay escaped
    assert '<p class="lede">Total <strong>5</strong></p>' in html
    assert '<div class="page-header-actions"><a class="button" href="/x">Export</a></div>' in html


def test_the_page_header_tag_needs_only_a_title():
    html = Template("{% load ui %}{% page_header %}Teams{% endpage_header %}").render(Context())
    assert "<h1>Teams</h1>" in html and "lede" not in html and "page-header-actions" not in html


def test_a_cell_across_several_columns_is_labelled_by_none_of_them():
    html = label_table(
        "<table><thead><tr><th>Draw</th><th>State</th></tr></thead>"
        '<tbody><tr><td colspan="2">No draws yet.</td></tr></tbody></table>'
    )
    assert '<td data-label="" colspan="2">No draws yet.</td>' in html
