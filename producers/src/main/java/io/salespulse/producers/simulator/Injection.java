package io.salespulse.producers.simulator;

import io.salespulse.contract.ObjectionTag;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Something planted into a simulated history on purpose, so a test (or a person watching the dashboards)
 * knows exactly what the pipeline must find. What was planted, and what it amounts to in the generated
 * records, is reported in {@link GroundTruth}.
 *
 * <p>Command-line form, {@link #parse}: {@code kind:key=value,key=value}; times are ISO instants
 * ({@code 2026-01-20T01:00:00Z}), local dates ({@code 2026-01-20}, midnight Asia/Shanghai) or
 * {@code day+N} (N days after the history starts, at local midnight).
 */
public sealed interface Injection {

    /**
     * From {@code from} on, proposals in {@code region} advance to a later stage only with probability
     * {@code rate} (elsewhere, and before, about 89% do with the default SLA miss rate); the others go cold.
     */
    record ConversionDrop(String region, Instant from, double rate) implements Injection {}

    /**
     * A policy (e.g. a new promotion) rolled out at {@code at}; not sent to Kafka (the policies topic's
     * format belongs to the policies feature), only reported in the ground truth.
     */
    record PolicyRollout(Instant at, String region, String description) implements Injection {}

    /**
     * A rep who files the same objection tag {@code times} times (at least 3) on one new customer, without
     * the customer ever advancing to closing: contact, needs, proposal, then the objections, a day apart.
     */
    record RepeatedObjection(String repId, ObjectionTag tag, Instant at, int times) implements Injection {}

    /** {@code count} malformed records sent at {@code at} (a broken app release, a proxy error page). */
    record MalformedBurst(Instant at, int count) implements Injection {}

    /** One line of the command-line form, e.g. {@code conversion-drop:region=hz-west,from=day+10,rate=0.45}. */
    static Injection parse(String spec, Instant historyStart) {
        String s = spec.trim();
        int colon = s.indexOf(':');
        String kind = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
        Map<String, String> args = new LinkedHashMap<>();
        if (colon >= 0 && colon < s.length() - 1) {
            for (String pair : s.substring(colon + 1).split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("injection '" + spec + "': expected key=value, got '" + pair + "'");
                }
                args.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        Injection result = switch (kind) {
            case "conversion-drop" -> {
                allow(spec, args, Set.of("region", "from", "rate"));
                yield new ConversionDrop(required(spec, args, "region"), time(spec, args, "from", historyStart),
                        number(spec, args.getOrDefault("rate", "0.45"), "rate"));
            }
            case "policy-rollout" -> {
                allow(spec, args, Set.of("at", "region", "description"));
                yield new PolicyRollout(time(spec, args, "at", historyStart), args.get("region"),
                        args.getOrDefault("description", "summer promotion policy rolled out"));
            }
            case "repeated-objection" -> {
                allow(spec, args, Set.of("rep", "tag", "at", "times"));
                String tag = args.getOrDefault("tag", "price_high");
                yield new RepeatedObjection(required(spec, args, "rep"), ObjectionTag.fromCode(tag).orElseThrow(
                        () -> new IllegalArgumentException("injection '" + spec + "': unknown objection tag '" + tag
                                + "'")), time(spec, args, "at", historyStart),
                        (int) number(spec, args.getOrDefault("times", "3"), "times"));
            }
            case "malformed-burst" -> {
                allow(spec, args, Set.of("at", "count"));
                yield new MalformedBurst(time(spec, args, "at", historyStart),
                        (int) number(spec, args.getOrDefault("count", "50"), "count"));
            }
            default -> throw new IllegalArgumentException("unknown injection '" + kind + "' in '" + spec
                    + "'; one of: conversion-drop, policy-rollout, repeated-objection, malformed-burst");
        };
        return result;
    }

    private static void allow(String spec, Map<String, String> args, Set<String> keys) {
        for (String k : args.keySet()) {
            if (!keys.contains(k)) {
                throw new IllegalArgumentException("injection '" + spec + "': unknown key '" + k + "'; allowed: "
                        + new java.util.TreeSet<>(keys));
            }
        }
    }

    private static String required(String spec, Map<String, String> args, String key) {
        String v = args.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("injection '" + spec + "' needs " + key + "=...");
        }
        return v;
    }

    private static double number(String spec, String value, String key) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("injection '" + spec + "': " + key + " must be a number, got '" + value
                    + "'");
        }
    }

    private static Instant time(String spec, Map<String, String> args, String key, Instant historyStart) {
        String v = required(spec, args, key);
        try {
            if (v.startsWith("day+")) {
                long days = Long.parseLong(v.substring(4));
                return historyStart.atZone(WorkingCalendar.ZONE).toLocalDate().plusDays(days).atStartOfDay(
                        WorkingCalendar.ZONE).toInstant();
            }
            if (v.length() == 10) {
                return LocalDate.parse(v).atStartOfDay(WorkingCalendar.ZONE).toInstant();
            }
            return Instant.parse(v);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException("injection '" + spec + "': " + key + " must be an ISO instant "
                    + "(2026-01-20T01:00:00Z), a date (2026-01-20, Asia/Shanghai) or day+N, got '" + v + "'");
        }
    }
}
