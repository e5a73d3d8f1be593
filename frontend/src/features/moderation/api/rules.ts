import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api } from "@/lib/api-client";
import type { Paginated } from "@/types/pagination";

import type {
  Backtest,
  BacktestInput,
  Rule,
  RuleInput,
  RuleUpdate,
  TextBank,
  TextBankInput,
} from "../types";

/** Query keys of a policy's rules, text banks and backtests. */
export const ruleKeys = {
  rules: (policyId: number) => ["moderation", "policies", policyId, "rules"] as const,
  banks: (policyId: number) => ["moderation", "policies", policyId, "text-banks"] as const,
  backtests: (policyId: number) => ["moderation", "policies", policyId, "backtests"] as const,
};

// Polled while a backtest runs.
export const BACKTEST_POLL_INTERVAL_MS = 1000;

export function getRules(policyId: number): Promise<Paginated<Rule>> {
  return api.get<Paginated<Rule>>(`/moderation/policies/${policyId}/rules/`, { page_size: 100 });
}

export function useRules(policyId: number) {
  return useQuery({ queryKey: ruleKeys.rules(policyId), queryFn: () => getRules(policyId) });
}

export function useCreateRule(policyId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: RuleInput) => api.post<Rule>(`/moderation/policies/${policyId}/rules/`, input),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ruleKeys.rules(policyId) }),
  });
}

export function useUpdateRule(policyId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ ruleId, input }: { ruleId: number; input: RuleUpdate }) =>
      api.patch<Rule>(`/moderation/rules/${ruleId}/`, input),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ruleKeys.rules(policyId) }),
  });
}

export function getTextBanks(policyId: number): Promise<Paginated<TextBank>> {
  return api.get<Paginated<TextBank>>(`/moderation/policies/${policyId}/text-banks/`, { page_size: 100 });
}

export function useTextBanks(policyId: number) {
  return useQuery({ queryKey: ruleKeys.banks(policyId), queryFn: () => getTextBanks(policyId) });
}

export function useCreateTextBank(policyId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: TextBankInput) => api.post<TextBank>(`/moderation/policies/${policyId}/text-banks/`, input),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ruleKeys.banks(policyId) }),
  });
}

export function backtestsPollInterval(backtests: Backtest[] | undefined): number | false {
  const busy = backtests?.some((backtest) => backtest.state === "queued" || backtest.state === "running");
  return busy ? BACKTEST_POLL_INTERVAL_MS : false;
}

export function useBacktests(policyId: number) {
  return useQuery({
    queryKey: ruleKeys.backtests(policyId),
    queryFn: () => api.get<Paginated<Backtest>>(`/moderation/policies/${policyId}/backtests/`),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => backtestsPollInterval(query.state.data?.results),
  });
}

export function useStartBacktest(policyId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: BacktestInput) => api.post<Backtest>(`/moderation/policies/${policyId}/backtests/`, input),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ruleKeys.backtests(policyId) }),
  });
}
