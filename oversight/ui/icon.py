"""The page icon, inline: a favicon fetched from a font CDN would break on an intranet and under the CSP."""

PAGE_ICON = (
    "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAyNC"
    "AyNCI+PHJlY3Qgd2lkdGg9IjI0IiBoZWlnaHQ9IjI0IiByeD0iNCIgZmlsbD0iI2IyM2EzYSIvPjxwYXRoIGZpbGw9IiNmZmYiIG"
    "Q9Ik01IDE5VjlsNS0zdjNsNC0ydjNsNS0ydjExaC00di00aC0ydjRINXptMi0yaDJ2LTJIN3Yyem0wLTRoMnYtMkg3djJ6bTggMG"
    "gydi0yaC0ydjJ6Ii8+PC9zdmc+"
    ""
)
