"""Plan checks of modules/livekit_ec2, modules/turn_ec2 (and their media_host) and the media toggle."""

from __future__ import annotations

import base64
import json

import pytest

from tests.module_render import heredoc
from tests.plan.harness import ModulePlan, PlanSession, index_plan


def _ports(case: ModulePlan) -> set[tuple[str, int, int]]:
    group = case.one("aws_security_group")
    return {(r["protocol"], r["from_port"], r["to_port"]) for r in group["ingress"]}


def _user_data(case: ModulePlan) -> str:
    return base64.b64decode(case.one("aws_launch_template")["user_data"]).decode()


def test_turn_ec2_opens_exactly_the_turn_ports(plans: PlanSession) -> None:
    turn_ports = {("udp", 3478, 3478), ("tcp", 3478, 3478), ("tcp", 5349, 5349), ("udp", 49152, 65535)}
    assert _ports(plans.case("turn_ec2", "defaults")) == turn_ports
    # With a domain, port 80 too: the ACME HTTP-01 challenges of its certificate.
    assert _ports(plans.case("turn_ec2", "domain_asg")) == turn_ports | {("tcp", 80, 80)}


def test_livekit_ec2_opens_exactly_the_livekit_ports_in_each_mode(plans: PlanSession) -> None:
    assert _ports(plans.case("livekit_ec2", "range")) == {
        ("tcp", 7880, 7880),
        ("tcp", 7881, 7881),
        ("udp", 50000, 60000),
    }
    assert _ports(plans.case("livekit_ec2", "single_tls_asg")) == {
        ("tcp", 443, 443),
        ("tcp", 7881, 7881),
        ("udp", 7882, 7882),
    }


@pytest.mark.parametrize(
    ("module", "case"),
    [("turn_ec2", "defaults"), ("turn_ec2", "domain_asg"), ("livekit_ec2", "range"), ("livekit_ec2", "single_tls_asg")],
)
def test_media_servers_are_hardened(plans: PlanSession, module: str, case: str) -> None:
    plan = plans.case(module, case)
    group = plan.one("aws_security_group")
    assert all(not (r["from_port"] <= 22 <= r["to_port"]) for r in group["ingress"]), "SSH must stay closed"
    template = plan.one("aws_launch_template")
    assert template["metadata_options"][0]["http_tokens"] == "required"
    assert template["key_name"] is None
    ebs = template["block_device_mappings"][0]["ebs"][0]
    assert ebs["encrypted"] == "true" and ebs["volume_type"] == "gp3"
    attachments = {v["values"]["policy_arn"] for v in plan.of_type("aws_iam_role_policy_attachment").values()}
    assert "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" in attachments
    assert plan.count("aws_eip") == 1


def test_media_servers_read_only_their_own_secret(plans: PlanSession) -> None:
    plan = plans.case("turn_ec2", "defaults")
    policies = {v["values"]["name"]: v["values"] for v in plan.of_type("aws_iam_role_policy").values()}
    statement = json.loads(policies["parley-dev-turn-secrets"]["policy"])["Statement"]
    assert statement == [{
        "Sid": "ReadBootSecrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
        "Resource": ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:parley-dev/turn-AbCdEf"],
    }]  # fmt: skip


def test_turn_cloud_init_renders_coturn_settings(plans: PlanSession) -> None:
    script = _user_data(plans.case("turn_ec2", "defaults"))
    config = script.split("<<CONF", 1)[1].split("CONF\n", 1)[0]
    lines = set(config.splitlines())
    for expected in (
        "use-auth-secret", "realm=turn.example.com", "external-ip=$PUBLIC_IP/$PRIVATE_IP", "fingerprint", "no-cli",
        "listening-port=3478", "tls-listening-port=5349", "min-port=49152", "max-port=65535",
        "denied-peer-ip=10.0.0.0-10.255.255.255", "denied-peer-ip=172.16.0.0-172.31.255.255",
        "denied-peer-ip=192.168.0.0-192.168.255.255", "denied-peer-ip=169.254.0.0-169.254.255.255",
        "denied-peer-ip=fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    ):  # fmt: skip
        assert expected in lines, expected
    # The secret is read at boot from Secrets Manager, never rendered.
    assert "--secret-id 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:parley-dev/turn-AbCdEf'" in script
    assert "static-auth-secret=$TURN_SECRET" in lines
    assert "Values=parley-dev-turn-eip" in script


def test_turn_cloud_init_without_a_domain_keeps_the_boot_certificate(plans: PlanSession) -> None:
    script = _user_data(plans.case("turn_ec2", "defaults"))
    assert '-subj "/CN=turn.example.com"' in script and "-out /etc/coturn/cert.pem" in script
    assert "caddy" not in script.lower() and "acme" not in script.lower()


def test_turn_cloud_init_with_a_domain_gets_and_renews_a_real_certificate(plans: PlanSession) -> None:
    script = _user_data(plans.case("turn_ec2", "domain_asg"))
    config = json.loads(heredoc(script, "/etc/caddy/caddy.json"))
    tls = config["apps"]["tls"]
    assert set(config["apps"]) == {"tls"}, "Caddy serves no site, it only keeps the certificate"
    assert tls["certificates"]["automate"] == ["turn.example.com"]
    [policy] = tls["automation"]["policies"]
    assert policy["subjects"] == ["turn.example.com"]
    assert policy["issuers"] == [{
        "module": "acme", "ca": "https://acme-v02.api.letsencrypt.org/directory",
        "challenges": {"tls-alpn": {"disabled": True}},
    }]  # fmt: skip
    assert config["admin"] == {"disabled": True}
    # Caddy's storage (mounted from /var/lib/caddy) is where the installer and the path unit look.
    storage = config["storage"]["root"]
    assert "-v /var/lib/caddy:" + storage + " caddy:2.8" in script
    cert = "/var/lib/caddy/certificates/acme-v02.api.letsencrypt.org-directory/turn.example.com/turn.example.com"
    installer = heredoc(script, "/usr/local/sbin/coturn-install-certificate")
    assert f"cert={cert}.crt" in installer and f"key={cert}.key" in installer
    assert 'install -m 0600 -o 65534 -g 65534 "$key" /etc/coturn/key.pem' in installer
    assert "docker kill --signal USR2 coturn" in installer
    assert f"PathChanged={cert}.crt" in heredoc(script, "/etc/systemd/system/coturn-certificate.path")
    assert "ExecStart=/usr/local/sbin/coturn-install-certificate" in heredoc(
        script, "/etc/systemd/system/coturn-certificate.service"
    )
    assert "systemctl enable --now coturn-certificate.path" in script
    # coturn starts after the first attempt to install the certificate, with the same configuration as without one.
    assert script.index("/usr/local/sbin/coturn-install-certificate || true") < script.index("--name coturn")
    plain = _user_data(plans.case("turn_ec2", "defaults"))
    same = (heredoc(script, "/etc/coturn/turnserver.conf"), heredoc(plain, "/etc/coturn/turnserver.conf"))
    assert same[0] == same[1]


def test_livekit_cloud_init_renders_keys_ports_and_optional_caddy(plans: PlanSession) -> None:
    plain = _user_data(plans.case("livekit_ec2", "range"))
    assert "port: 7880" in plain and "tcp_port: 7881" in plain
    assert "port_range_start: 50000" in plain and "port_range_end: 60000" in plain and "udp_port" not in plain
    assert "  $API_KEY: $API_SECRET" in plain and "--secret-id 'arn:aws:secretsmanager:" in plain
    assert "enabled: false" in plain.split("turn:", 1)[1]
    assert "caddy" not in plain.lower().split("starts livekit", 1)[1]
    tls = _user_data(plans.case("livekit_ec2", "single_tls_asg"))
    assert "udp_port: 7882" in tls and "port_range_start" not in tls
    assert "livekit.example.com {" in tls and "reverse_proxy 127.0.0.1:7880" in tls
    assert "amazon-cloudwatch-agent" in tls and "amazon-cloudwatch-agent" not in plain


def test_media_servers_self_healing_uses_an_autoscaling_group_of_one(plans: PlanSession) -> None:
    single = plans.case("livekit_ec2", "range")
    assert single.count("aws_instance") == 1 and single.count("aws_autoscaling_group") == 0
    healing = plans.case("livekit_ec2", "single_tls_asg")
    assert healing.count("aws_instance") == 0
    group = healing.one("aws_autoscaling_group")
    assert (group["min_size"], group["max_size"], group["desired_capacity"]) == (1, 1, 1)
    assert healing.one("aws_launch_template")["monitoring"] == [{"enabled": True}]


def test_media_servers_reject_ssh_bad_ami_mode_and_relay_range(plans: PlanSession) -> None:
    assert "must not open TCP port 22" in plans.rejection("media_host", "reject_ssh")
    assert "instance.ami_id must be an AMI id" in plans.rejection("media_host", "reject_ami")
    assert "rtc_port_mode must be" in plans.rejection("livekit_ec2", "reject_port_mode")
    assert "relay_min_port and turn.relay_max_port" in plans.rejection("turn_ec2", "reject_relay_range")
    assert "turn.domain must be empty or a lowercase DNS name" in plans.rejection("turn_ec2", "reject_domain")


def test_media_servers_toggle_both_ways_in_the_stack(plans: PlanSession) -> None:
    off, on = plans.case("stack", "dev"), plans.case("stack", "media")
    for resource_type in ("aws_instance", "aws_eip", "aws_vpc", "aws_security_group", "aws_launch_template"):
        assert off.count(resource_type) == 0, resource_type
    assert on.count("aws_instance") == 2 and on.count("aws_eip") == 2 and on.count("aws_vpc") == 1
    # Either way the API keeps both call functions and the secrets.
    for case in (off, on):
        names = {v["values"]["function_name"] for v in case.of_type("aws_lambda_function").values()}
        assert any(n.endswith("-match") for n in names) and any(n.endswith("-call-token") for n in names)
        assert case.count("aws_secretsmanager_secret") == 2
    secrets = {v["values"]["name"]: v["values"] for v in off.of_type("aws_secretsmanager_secret").values()}
    assert set(secrets) == {"parley-dev/livekit", "parley-dev/turn"}
    assert all(s["recovery_window_in_days"] == 0 for s in secrets.values())


def test_media_servers_stack_passes_the_turn_domain(plans: PlanSession) -> None:
    # In the stack the boot script and the call_token environment are known only at apply (they hold
    # secret ARNs); the port the domain opens is known at plan time.
    assert ("tcp", 80, 80) in _ports(plans.case("stack", "media").within("turn[0]"))
    local_turn = ModulePlan("local.turn", index_plan(plans.envs["local"], "module.stack.module.turn[0]."))
    assert ("tcp", 80, 80) not in _ports(local_turn), "no domain, no port 80"


def test_media_secrets_are_write_only(plans: PlanSession) -> None:
    case = plans.case("stack", "media")
    versions = [v["values"] for v in case.of_type("aws_secretsmanager_secret_version").values()]
    assert len(versions) == 2
    for version in versions:
        assert version["secret_string_wo_version"] == 1
        assert version.get("secret_string") in (None, "")
        assert version.get("secret_string_wo") is None  # write-only: never in the plan


def test_envs_media_servers_on_locally_and_off_in_dev(plans: PlanSession) -> None:
    local = index_plan(plans.envs["local"])
    dev = index_plan(plans.envs["dev"])
    assert sum(v["type"] == "aws_instance" for v in local.values()) == 2
    assert sum(v["type"] == "aws_instance" for v in dev.values()) == 0
    images = {v["values"]["image_id"] for v in local.values() if v["type"] == "aws_launch_template"}
    assert images == {"ami-0e9271c829888680e"}


def test_media_servers_stack_rejects_a_bad_ami_id_and_port_mode(plans: PlanSession) -> None:
    rejection = plans.rejection("stack", "reject_media_ami")
    assert "media_servers.ami_id must be null or an AMI id" in rejection
    assert "media_servers.rtc_port_mode must be" in rejection
