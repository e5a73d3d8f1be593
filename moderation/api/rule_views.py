"""A policy's rules and text banks: moderators read them; senior moderators and admins write
them. Rules and banks of a policy the caller cannot see read as missing (404)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_PARAMETERS, paginated, paginated_response
from moderation.api import rule_serializers as s
from moderation.selectors.access import MODERATE_ROLES, POLICY_ADMIN_ROLES, policy_get_for_user
from moderation.selectors.rules import (
    policy_of_rule,
    policy_of_text_bank,
    rule_get,
    rule_list,
    text_bank_get,
    text_bank_list,
)
from moderation.services import rule_admin


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
