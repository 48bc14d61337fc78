"""SettingInput: the one input model of every box (Pilot, 80×24)."""

from textual.app import App, ComposeResult
from textual.widgets import Input

from engine.settings import Spec
from tui.widgets.setting_input import MessageLine, SettingInput, SpecValidator

STEPS = Spec("steps", "steps", int, 100, 1, 10_000, help="training steps")


class BoxApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.changed: list = []
        self.keys_reached_app: list[str] = []

    def compose(self) -> ComposeResult:
        yield SettingInput(STEPS)
        yield MessageLine(id="msg")

    def on_setting_input_set(self, event: SettingInput.Set) -> None:
        self.changed.append((event.name, event.value))
        self.query_one(MessageLine).show(f"✓ steps = {event.value}")

    def on_setting_input_refused(self, event: SettingInput.Refused) -> None:
        self.query_one(MessageLine).show(f"✗ {event.message}", error=True)

    def on_key(self, event) -> None:
        self.keys_reached_app.append(event.key)


async def type_into(pilot, box: Input, text: str) -> None:
    box.focus()
    box.value = ""
    await pilot.press(*text)


async def test_bad_value_keeps_focus_and_text_and_says_why():
    app = BoxApp()
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.query_one(SettingInput)
        await type_into(pilot, box, "1e9")
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is box and box.value == "1e9" and app.changed == []
        message = app.query_one(MessageLine)
        assert "steps must be a whole number from 1 to 10000, got 1000000000" in str(message.render())
        assert message.has_class("-error") and message.region.bottom <= 24
        await pilot.press("5")  # keys after a refusal stay in the box
        assert box.value == "1e95" and "5" not in app.keys_reached_app


async def test_good_value_posts_set_and_escape_restores_the_value_in_force():
    app = BoxApp()
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.query_one(SettingInput)
        await type_into(pilot, box, "2e3")
        await pilot.press("enter")
        await pilot.pause()
        assert app.changed == [("steps", 2000)] and box.value == "2000"
        await type_into(pilot, box, "abc")
        await pilot.press("escape")
        await pilot.pause()
        assert box.value == "2000" and app.focused is None


def test_validator_is_the_spec():
    v = SpecValidator(STEPS)
    assert v.validate("10000").is_valid and not v.validate("10001").is_valid
    assert v.validate("0").failure_descriptions == ["steps must be a whole number from 1 to 10000, got 0"]
