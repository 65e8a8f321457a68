package io.backpoint.cli.shell;

import java.util.List;

/** Commands listed together by help, under a title and a keyword ({@code help KEYWORD}). */
public record CommandGroup(String title, String keyword, List<Command> commands) {}
