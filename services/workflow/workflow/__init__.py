"""The workflow service: the organisation tree, the project registry and the processes of a
project's life (rules.md: "Who is who", "Project intake and assignment")."""
