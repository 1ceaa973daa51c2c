"""What makes a password acceptable: a minimum length, and not guessable by zxcvbn's estimate
(common passwords, dictionary words, names, dates, repeats and keyboard runs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zxcvbn import zxcvbn

from cloud.errors import ValidationFailedError

# zxcvbn looks at this much of a password; longer ones are judged on their start, which is
# plenty (and keeps the check fast whatever is posted).
_CHECKED_CHARS = 100


@dataclass(frozen=True)
class PasswordPolicy:
    """A minimum length and a minimum zxcvbn score (0 guessable in seconds .. 4 very strong)."""

    min_length: int
    min_score: int

    def check(self, password: str, personal: Sequence[str] = ()) -> None:
        """Raise ValidationFailedError saying what to do if `password` is not acceptable.

        `personal` are words a guesser would try first for this person (email, name).
        """
        if len(password) < self.min_length:
            raise ValidationFailedError(
                f"the password is too short: use at least {self.min_length} characters, "
                "for example a few unrelated words"
            )
        words = [part for value in personal for part in value.replace("@", " ").split() if part]
        result = zxcvbn(password[:_CHECKED_CHARS], user_inputs=words)
        if result["score"] >= self.min_score:
            return
        feedback = result["feedback"]
        advice = " ".join(
            part
            for part in [feedback.get("warning") or "", *feedback.get("suggestions", [])]
            if part
        )
        raise ValidationFailedError(
            "the password is too easy to guess: choose a longer one of unrelated words, not a "
            f"common password, a name, a date or a repeat. {advice}".strip(),
            {"score": result["score"], "required_score": self.min_score},
        )
