"""The console's figure of projects: counted by status and industry within the caller's scope."""

from workflow.usecases import overview, registry

from .test_registry import PROJECT, walk_chain


def test_projects_are_counted_by_status_and_industry_within_the_callers_scope(session, as_user):
    walk_chain(as_user)  # housing, down to the municipal line
    registry.register_project(as_user("demo-leading-group-chief"), {**PROJECT, "name": "丰惠镇污水管网",
                                                                    "industry": "water"})
    registry.register_project(as_user("demo-leading-group-chief"), {**PROJECT, "name": "百官街道公园"})

    assert overview.project_counts(as_user("demo-leading-group-chief")) == [
        {"status": "awarded", "industry": "housing", "count": 2},
        {"status": "awarded", "industry": "water", "count": 1}]
    assert overview.project_counts(as_user("demo-line-head")) == [
        {"status": "awarded", "industry": "housing", "count": 1}]
    assert overview.project_counts(as_user("demo-parks-line-head")) == []
