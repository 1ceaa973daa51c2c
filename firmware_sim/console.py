"""`medmind sim console`: a virtual bedside device in the terminal (textual).

The screen shows what a person in the room would see and hear (clock, LED, what the device said,
the doses due and next) and what an engineer wants to know (outbox depth, broker connection).
Keys press the buttons, type something to say, move time on and pull the network cable; the
footer lists them all.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widgets import Footer, Header, Input, RichLog, Static

from edge_agent.hardware import LedStatus
from firmware_sim.device import DeviceSnapshot, DoseLine, VirtualDevice
from shared.enums import Button

REFRESH_S = 0.2
SPEEDS = (0.0, 1.0, 10.0, 60.0, 600.0, 3600.0)

LED_LOOK: dict[LedStatus, tuple[str, str]] = {
    LedStatus.IDLE: ("green", "idle - nothing due"),
    LedStatus.DUE: ("yellow", "dose due - press Taken"),
    LedStatus.OFFLINE: ("red", "offline"),
    LedStatus.LISTENING: ("blue", "listening..."),
}


def describe_led(snapshot: DeviceSnapshot) -> str:
    colour, meaning = LED_LOOK[snapshot.led]
    buzz = "  [bold]BEEP[/]" if snapshot.buzzing else ""
    return f"[{colour}]●●●[/]  [b]{snapshot.led.value.upper()}[/]\n{meaning}{buzz}"


def describe_clock(snapshot: DeviceSnapshot, speed: float) -> str:
    moment = snapshot.local_time
    pace = "paused" if speed == 0 else f"{speed:g}x real time"
    return f"[b]{moment:%H:%M:%S}[/]\n{moment:%a %d %b %Y} ({moment:%Z})\n{pace}"


def describe_link(snapshot: DeviceSnapshot, has_broker: bool) -> str:
    if not has_broker:
        state = "[dim]no broker (standalone)[/]"
    elif not snapshot.link_up:
        state = "[red]cable cut[/]"
    elif snapshot.connected:
        state = "[green]connected[/]"
    else:
        state = "[yellow]connecting...[/]"
    plan = "none" if snapshot.plan_version is None else f"v{snapshot.plan_version}"
    return f"{state}\noutbox: [b]{snapshot.outbox_depth}[/] waiting for ack\nplan: {plan}"


def describe_doses(lines: tuple[DoseLine, ...], empty: str) -> str:
    if not lines:
        return f"[dim]{empty}[/]"
    return "\n".join(f"{line.when:%a %H:%M}  {line.label}  [dim]{line.state}[/]" for line in lines)


class SimConsole(App[None]):
    """The console around one running `VirtualDevice`."""

    TITLE = "MedMind device simulator"
    # Keys are buttons: nothing may take the focus until the patient chooses to say something.
    AUTO_FOCUS = None
    CSS = """
    Screen { layout: vertical; }
    #top { height: 7; }
    .panel { border: round $accent; padding: 0 1; width: 1fr; }
    #doses { height: 10; }
    #said { border: round $accent; height: 1fr; }
    #say { dock: bottom; display: none; }
    #say.visible { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "press('taken')", "Taken"),
        Binding("z", "press('snooze')", "Snooze"),
        Binding("T", "hold('taken')", "Hold taken (as needed)"),
        Binding("Z", "hold('snooze')", "Hold snooze (skip)"),
        Binding("h", "hold('talk')", "Hold talk (HELP)"),
        Binding("k", "press('talk')", "Talk"),
        Binding("s", "say", "Say..."),
        Binding("f", "forward(60)", "+1 h"),
        Binding("d", "next_dose", "Next dose"),
        Binding("n", "network", "Cut/restore net"),
        Binding("plus", "speed(1)", "Faster"),
        Binding("minus", "speed(-1)", "Slower"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, device: VirtualDevice, speed: float = 60.0, info: str = "") -> None:
        super().__init__()
        self.device = device
        self.speed = speed
        self.info = info
        self._said_count = 0

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="top"):
            yield Static(id="clock", classes="panel")
            yield Static(id="led", classes="panel")
            yield Static(id="link", classes="panel")
        with Horizontal(id="doses"):
            yield Static(id="due", classes="panel")
            yield Static(id="next", classes="panel")
        with Vertical(id="said"):
            yield RichLog(id="words", markup=True, wrap=True)
        yield Input(placeholder="Say something to the device and press Enter", id="say")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.device.device_id}  {self.info}".strip()
        for panel_id, title in (
            ("clock", "Clock"),
            ("led", "Status LED"),
            ("link", "Network"),
            ("due", "Due now"),
            ("next", "Next doses"),
            ("said", "Device said"),
        ):
            self.query_one(f"#{panel_id}").border_title = title
        self.device.run_clock(self.speed)
        self.refresh_view()
        self.set_interval(REFRESH_S, self.refresh_view)

    def refresh_view(self) -> None:
        """Redraw every panel from a fresh snapshot of the device."""
        try:
            self._redraw(self.device.snapshot())
        except NoMatches:
            # The refresh timer can fire while the app is closing its screen.
            return

    def _redraw(self, snapshot: DeviceSnapshot) -> None:
        has_broker = self.device.link is not None
        self.query_one("#clock", Static).update(describe_clock(snapshot, self.speed))
        self.query_one("#led", Static).update(describe_led(snapshot))
        self.query_one("#link", Static).update(describe_link(snapshot, has_broker))
        self.query_one("#due", Static).update(describe_doses(snapshot.due, "nothing due"))
        self.query_one("#next", Static).update(describe_doses(snapshot.upcoming, "no plan yet"))
        utterances = self.device.utterances()
        log = self.query_one("#words", RichLog)
        for utterance in utterances[self._said_count :]:
            when = utterance.started_at.astimezone(snapshot.local_time.tzinfo)
            log.write(f"[dim]{when:%a %H:%M}[/]  {utterance.text}")
        self._said_count = len(utterances)

    def notify_action(self, text: str) -> None:
        self.query_one("#words", RichLog).write(f"[cyan]> {text}[/]")

    # -- actions ---------------------------------------------------------------------------

    def action_press(self, name: str) -> None:
        self.notify_action(f"you press {name}")
        self.device.press(Button(name))
        self.refresh_view()

    def action_hold(self, name: str) -> None:
        self.notify_action(f"you hold {name}")
        self.device.hold(Button(name))
        self.refresh_view()

    def action_say(self) -> None:
        box = self.query_one("#say", Input)
        box.add_class("visible")
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        box = event.input
        text = event.value.strip()
        box.value = ""
        box.remove_class("visible")
        self.set_focus(None)
        if not text:
            return
        self.notify_action(f'you say "{text}"')
        self.run_worker(lambda: self._speak(text), thread=True, exclusive=True, group="speech")

    def _speak(self, text: str) -> None:
        try:
            self.device.speak(text)
        except RuntimeError as exc:
            self.call_from_thread(self.notify, str(exc), severity="warning")

    def action_forward(self, minutes: int) -> None:
        self.notify_action(f"time moves on {minutes} minutes")
        self.device.advance(minutes * 60)
        self.refresh_view()

    def action_next_dose(self) -> None:
        snapshot = self.device.snapshot(upcoming=1)
        if not snapshot.upcoming:
            self.notify("no dose ahead", severity="warning")
            return
        target = snapshot.upcoming[0].when
        self.notify_action(f"time moves on to {target:%a %H:%M}")
        self.device.advance_to(target + timedelta(seconds=1))
        self.refresh_view()

    def action_network(self) -> None:
        if self.device.link is None:
            self.notify(
                "standalone device: start with --broker to have a network", severity="warning"
            )
            return
        if self.device.network_up:
            self.device.cut_network()
            self.notify_action("network cable pulled")
        else:
            self.device.restore_network()
            self.notify_action("network cable plugged back in")
        self.refresh_view()

    def action_speed(self, step: int) -> None:
        index = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - self.speed))
        self.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, index + step))]
        self.device.run_clock(self.speed)
        self.refresh_view()
