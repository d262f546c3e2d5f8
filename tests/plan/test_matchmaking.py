"""Plan checks of modules/matchmaking."""

from __future__ import annotations

from tests.plan.harness import PlanSession


def _queues(case) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {v["values"]["name"]: v["values"] for v in case.of_type("aws_sqs_queue").values()}


def test_matchmaking_topic_and_queues_are_fifo_and_encrypted(plans: PlanSession) -> None:
    case = plans.case("matchmaking", "defaults")
    topic = case.one("aws_sns_topic")
    assert topic["name"] == "parley-dev-match.fifo"
    assert topic["fifo_topic"] is True and topic["content_based_deduplication"] is True
    assert topic["kms_master_key_id"] == "alias/aws/sns"
    queues = _queues(case)
    assert set(queues) == {"parley-dev-match.fifo", "parley-dev-match-dlq.fifo"}
    assert all(q["fifo_queue"] is True and q["sqs_managed_sse_enabled"] is True for q in queues.values())


def test_matchmaking_queue_settings_and_kms_key_follow_the_inputs(plans: PlanSession) -> None:
    queue = _queues(plans.case("matchmaking", "kms_no_worker"))["parley-prod-match.fifo"]
    # The redrive policy names the DLQ's ARN, known only after apply: the e2e tier checks it.
    assert queue["visibility_timeout_seconds"] == 180
    assert queue["kms_master_key_id"].startswith("arn:aws:kms:")
    defaults = _queues(plans.case("matchmaking", "defaults"))["parley-dev-match.fifo"]
    assert defaults["visibility_timeout_seconds"] == 60


def test_matchmaking_subscription_is_raw_sqs(plans: PlanSession) -> None:
    subscription = plans.case("matchmaking", "defaults").one("aws_sns_topic_subscription")
    assert subscription["protocol"] == "sqs" and subscription["raw_message_delivery"] is True


def test_matchmaking_worker_reports_batch_item_failures(plans: PlanSession) -> None:
    case = plans.case("matchmaking", "defaults")
    mapping = case.one("aws_lambda_event_source_mapping")
    assert mapping["function_name"] == "parley-dev-match"
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    assert mapping["batch_size"] == 10
    assert plans.case("matchmaking", "kms_no_worker").count("aws_lambda_event_source_mapping") == 0


def test_matchmaking_queue_policy_is_inline_and_no_separate_policy_resource(plans: PlanSession) -> None:
    case = plans.case("matchmaking", "defaults")
    assert case.count("aws_sqs_queue_policy") == 0
    address = next(
        a for a, v in case.of_type("aws_sqs_queue").items() if v["values"]["name"] == "parley-dev-match.fifo"
    )
    # The policy names the topic's ARN, known only after apply: it is planned, not absent.
    assert "policy" in case.resources[address]["after_unknown"]


def test_matchmaking_rejects_a_batch_over_the_fifo_limit(plans: PlanSession) -> None:
    assert "queue.batch_size must be between 1 and 10" in plans.rejection("matchmaking", "reject_batch_size")


def test_matchmaking_stack_wires_the_worker_and_its_permissions(plans: PlanSession) -> None:
    case = plans.case("stack", "dev")
    mapping = case.within("matchmaking").one("aws_lambda_event_source_mapping")
    assert mapping["function_name"] == "parley-dev-match"
    policies = {v["values"]["name"]: v["values"] for v in case.of_type("aws_iam_role_policy").values()}
    # Statements hold ARNs known only after apply; the names prove the role policy exists.
    assert "parley-dev-match-policy" in policies
    # Function environments name ARNs known only after apply; the transport itself is planned.
    assert case.within("matchmaking").one("aws_sns_topic")["name"] == "parley-dev-match.fifo"
    queues = {v["values"]["name"]: v["values"] for v in case.of_type("aws_sqs_queue").values()}
    assert queues["parley-dev-match.fifo"]["visibility_timeout_seconds"] == 180  # six times the worker's timeout
    assert "parley-dev-match-dlq.fifo" in queues


def test_matchmaking_high_throughput_mode_scopes_the_topic_per_message_group(plans: PlanSession) -> None:
    # Off (the default) leaves the topic's scope to AWS; on scopes throughput and deduplication per group.
    assert plans.case("matchmaking", "defaults").one("aws_sns_topic").get("fifo_throughput_scope") is None
    assert plans.case("matchmaking", "high_throughput").one("aws_sns_topic")["fifo_throughput_scope"] == "MessageGroup"


def test_matchmaking_stack_pool_shards_raise_the_topic_to_high_throughput(plans: PlanSession) -> None:
    # dev keeps one group per pool; media asks for calls.pool_shards = 4. (The worker's MATCH_POOL_SHARDS sits in an
    # environment holding ARNs, known only after apply: tests/e2e/test_matchmaking.py reads it.)
    dev, sharded = plans.case("stack", "dev"), plans.case("stack", "media")
    assert dev.within("matchmaking").one("aws_sns_topic").get("fifo_throughput_scope") is None
    assert sharded.within("matchmaking").one("aws_sns_topic")["fifo_throughput_scope"] == "MessageGroup"


def test_matchmaking_stack_rejects_a_fractional_shard_count(plans: PlanSession) -> None:
    assert "calls.pool_shards must be a whole number from 1" in plans.rejection("stack", "reject_pool_shards")
