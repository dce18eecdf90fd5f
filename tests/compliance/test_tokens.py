"""Token estimates before a call and their per-route calibration."""

from __future__ import annotations

import pytest

from compliance.gateway.tokens import (
    BYTES_PER_TOKEN,
    MESSAGE_OVERHEAD,
    EstimateCalibration,
    estimate_tokens,
)


def test_the_estimate_is_utf8_bytes_over_four_rounded_up_plus_an_overhead_per_message() -> None:
    latin = {"role": "user", "content": "a" * 9}  # 9 bytes -> 3 tokens
    cyrillic = {"role": "user", "content": "ж" * 10}  # 20 bytes -> 5 tokens
    assert estimate_tokens([latin]) == 3 + MESSAGE_OVERHEAD
    assert estimate_tokens([cyrillic]) == 20 // BYTES_PER_TOKEN + MESSAGE_OVERHEAD
    assert estimate_tokens([latin, cyrillic]) == 3 + 5 + 2 * MESSAGE_OVERHEAD


def test_the_estimate_is_never_zero() -> None:
    assert estimate_tokens([]) == 1
    assert estimate_tokens([{"role": "user"}]) == MESSAGE_OVERHEAD


def test_calibration_starts_neutral_and_takes_the_first_ratio_as_is() -> None:
    calibration = EstimateCalibration()
    assert calibration.correct(100) == 100
    calibration.observe(100, 250)
    assert (calibration.ratio, calibration.samples) == (2.5, 1)
    assert calibration.correct(100) == 250


def test_calibration_then_moves_by_an_exponential_moving_average() -> None:
    calibration = EstimateCalibration(alpha=0.5)
    calibration.observe(100, 200)
    calibration.observe(100, 100)
    assert calibration.ratio == pytest.approx(1.5)
    calibration.observe(50, 25)
    assert calibration.ratio == pytest.approx(1.0)
    assert calibration.samples == 3


def test_calibration_ignores_samples_without_tokens_and_never_books_zero() -> None:
    calibration = EstimateCalibration()
    calibration.observe(0, 100)
    calibration.observe(100, 0)
    assert (calibration.ratio, calibration.samples) == (1.0, 0)
    calibration.observe(1000, 1)
    assert calibration.correct(10) == 1
    assert calibration.correct(1500) == 2  # 1.5 rounds half up
