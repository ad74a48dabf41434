"""git, read-only: running the binary (``command``), finding a repository and resolving
revisions (``repository``), streaming every blob once (``objects``), the work tree's
untracked and modified files (``worktree``) and who committed a blob (``attribution``)."""
