"""Plan checks of modules/network."""

from __future__ import annotations

from tests.plan.harness import PlanSession


def test_network_public_subnets_span_the_given_zones(plans: PlanSession) -> None:
    case = plans.case("network", "two_azs")
    assert case.one("aws_vpc")["cidr_block"] == "10.40.0.0/16"
    subnets = {v["values"]["availability_zone"]: v["values"] for v in case.of_type("aws_subnet").values()}
    assert {az: s["cidr_block"] for az, s in subnets.items()} == {
        "eu-west-1a": "10.40.0.0/18",
        "eu-west-1b": "10.40.64.0/18",
    }
    assert all(s["map_public_ip_on_launch"] is False for s in subnets.values())
    assert case.count("aws_route_table_association") == 2
    route = case.one("aws_route")
    assert route["destination_cidr_block"] == "0.0.0.0/0"
    assert case.count("aws_internet_gateway") == 1


def test_network_default_security_group_allows_nothing(plans: PlanSession) -> None:
    group = plans.case("network", "two_azs").one("aws_default_security_group")
    assert group.get("ingress") in (None, []) and group.get("egress") in (None, [])


def test_network_rejects_one_zone_and_a_bad_cidr(plans: PlanSession) -> None:
    assert "availability_zones must list 2 to 4" in plans.rejection("network", "reject_one_az")
    assert "prefix between /16 and /24" in plans.rejection("network", "reject_cidr")
