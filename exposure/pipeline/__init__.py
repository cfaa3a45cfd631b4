"""The one path of data: assess a scenario, build its report; the demo."""
