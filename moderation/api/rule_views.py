"""A policy's rules and text banks: moderators read them; senior moderators and admins write
them. Rules and banks of a policy the caller cannot see read as missing (404)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from moderation.api import rule_serializers as s
from moderation.selectors.access import MODERATE_ROLES, POLICY_ADMIN_ROLES, policy_get_for_user
from moderation.selectors.rules import (
    backtest_get,
    backtest_list,
    policy_of_backtest,
    policy_of_rule,
    policy_of_text_bank,
    rule_get,
    rule_list,
    text_bank_get,
    text_bank_list,
)
from moderation.services import backtests, rule_admin


class RuleListCreateApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.RuleOutputSerializer),
        operation_id="moderation_policies_rules_list",
    )
    def get(self, request, policy_id: int):
        """The policy's rules in evaluation order, with what each hit in the last 30 days of
        live traffic (background rules included) and how people decided those contents."""
        policy = policy_get_for_user(policy_id=policy_id, user=request.user, roles=MODERATE_ROLES)
        return paginated_response(request, self, rule_list(policy=policy), s.RuleOutputSerializer)

    @extend_schema(request=s.RuleInputSerializer, responses={201: s.RuleOutputSerializer})
    def post(self, request, policy_id: int):
        """Add a rule (draft unless ``status`` says otherwise). The condition is checked, and
        the banks and categories it reads must be the policy's. Audited (``rule.create``)."""
        policy = policy_get_for_user(
            policy_id=policy_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        data = s.RuleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = rule_admin.rule_create(policy=policy, user=request.user, **data.validated_data)
        return Response(
            s.RuleOutputSerializer(rule_get(policy=policy, rule_id=rule.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class RuleDetailApi(APIView):
    @extend_schema(responses=s.RuleOutputSerializer)
    def get(self, request, rule_id: int):
        """One rule with its live-traffic figures."""
        policy = policy_get_for_user(
            policy_id=policy_of_rule(rule_id=rule_id).pk, user=request.user, roles=MODERATE_ROLES
        )
        return Response(s.RuleOutputSerializer(rule_get(policy=policy, rule_id=rule_id)).data)

    @extend_schema(request=s.RuleUpdateInputSerializer, responses=s.RuleOutputSerializer)
    def patch(self, request, rule_id: int):
        """Change a rule: its condition, action, category, status (draft, background, live,
        expired), expiry or position. Audited (``rule.update``, before and after)."""
        policy = policy_get_for_user(
            policy_id=policy_of_rule(rule_id=rule_id).pk,
            user=request.user,
            roles=POLICY_ADMIN_ROLES,
        )
        data = s.RuleUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = rule_admin.rule_update(
            rule=rule_get(policy=policy, rule_id=rule_id), user=request.user, **data.validated_data
        )
        return Response(s.RuleOutputSerializer(rule_get(policy=policy, rule_id=rule.pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, rule_id: int):
        """Delete a rule and its hit log. Audited (``rule.delete``)."""
        policy = policy_get_for_user(
            policy_id=policy_of_rule(rule_id=rule_id).pk,
            user=request.user,
            roles=POLICY_ADMIN_ROLES,
        )
        rule_admin.rule_delete(rule=rule_get(policy=policy, rule_id=rule_id), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TextBankListCreateApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.TextBankOutputSerializer),
        operation_id="moderation_policies_text_banks_list",
    )
    def get(self, request, policy_id: int):
        """The policy's text banks (terms and RE2 patterns rules read)."""
        policy = policy_get_for_user(policy_id=policy_id, user=request.user, roles=MODERATE_ROLES)
        return paginated_response(
            request, self, text_bank_list(policy=policy), s.TextBankOutputSerializer
        )

    @extend_schema(request=s.TextBankInputSerializer, responses={201: s.TextBankOutputSerializer})
    def post(self, request, policy_id: int):
        """Add a text bank. Terms match as whole words after obfuscations are undone;
        patterns are case-insensitive RE2. Audited (``text_bank.create``)."""
        policy = policy_get_for_user(
            policy_id=policy_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        data = s.TextBankInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bank = rule_admin.text_bank_create(policy=policy, user=request.user, **data.validated_data)
        return Response(s.TextBankOutputSerializer(bank).data, status=status.HTTP_201_CREATED)


class TextBankDetailApi(APIView):
    @extend_schema(responses=s.TextBankOutputSerializer)
    def get(self, request, bank_id: int):
        policy = policy_get_for_user(
            policy_id=policy_of_text_bank(bank_id=bank_id).pk,
            user=request.user,
            roles=MODERATE_ROLES,
        )
        return Response(
            s.TextBankOutputSerializer(text_bank_get(policy=policy, bank_id=bank_id)).data
        )

    @extend_schema(request=s.TextBankUpdateInputSerializer, responses=s.TextBankOutputSerializer)
    def patch(self, request, bank_id: int):
        """Change a bank; ``terms`` and ``patterns``, when sent, replace the lists. Audited."""
        policy = policy_get_for_user(
            policy_id=policy_of_text_bank(bank_id=bank_id).pk,
            user=request.user,
            roles=POLICY_ADMIN_ROLES,
        )
        data = s.TextBankUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bank = rule_admin.text_bank_update(
            bank=text_bank_get(policy=policy, bank_id=bank_id),
            user=request.user,
            **data.validated_data,
        )
        return Response(s.TextBankOutputSerializer(bank).data)

    @extend_schema(responses={204: None})
    def delete(self, request, bank_id: int):
        """Delete a bank no rule reads. Audited (``text_bank.delete``)."""
        policy = policy_get_for_user(
            policy_id=policy_of_text_bank(bank_id=bank_id).pk,
            user=request.user,
            roles=POLICY_ADMIN_ROLES,
        )
        rule_admin.text_bank_delete(
            bank=text_bank_get(policy=policy, bank_id=bank_id), user=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class BacktestListCreateApi(APIView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated(s.BacktestOutputSerializer),
        operation_id="moderation_policies_backtests_list",
    )
    def get(self, request, policy_id: int):
        """The policy's backtests, newest first, with progress and results."""
        policy = policy_get_for_user(policy_id=policy_id, user=request.user, roles=MODERATE_ROLES)
        return paginated_response(
            request, self, backtest_list(policy=policy), s.BacktestOutputSerializer
        )

    @extend_schema(request=s.BacktestInputSerializer, responses={202: s.BacktestOutputSerializer})
    def post(self, request, policy_id: int):
        """Backtest a saved rule (``rule``) or a draft condition (``condition``) over the
        policy's content of a period (at most a year): a job, polled for progress. Audited."""
        policy = policy_get_for_user(
            policy_id=policy_id, user=request.user, roles=POLICY_ADMIN_ROLES
        )
        data = s.BacktestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        rule = None
        if values.get("rule") is not None:
            rule = rule_get(policy=policy, rule_id=values["rule"])
            condition = rule.condition
        elif "condition" in values:
            condition = values["condition"]
        else:
            raise ApplicationError("Give a rule or a condition.", extra={"field": "condition"})
        backtest = backtests.backtest_request(
            policy=policy, user=request.user, condition=condition, rule=rule,
            period_start=values["period_start"], period_end=values["period_end"],
        )  # fmt: skip
        return Response(
            s.BacktestOutputSerializer(backtest_get(policy=policy, backtest_id=backtest.pk)).data,
            status=status.HTTP_202_ACCEPTED,
        )


class BacktestDetailApi(APIView):
    @extend_schema(responses=s.BacktestOutputSerializer)
    def get(self, request, backtest_id: int):
        """One backtest: progress while it runs, then its figures."""
        policy = policy_get_for_user(
            policy_id=policy_of_backtest(backtest_id=backtest_id).pk,
            user=request.user,
            roles=MODERATE_ROLES,
        )
        return Response(
            s.BacktestOutputSerializer(backtest_get(policy=policy, backtest_id=backtest_id)).data
        )
