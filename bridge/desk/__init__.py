"""What people do on the desk: claim, draft, approve (the desk), steering by the social team, the
slash commands, and what a card shows.

May import the layers below: domain, text, playbook, store.
"""
