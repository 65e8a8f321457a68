package io.backpoint.cli;

import java.util.List;

/** Commands listed together by help, under a title and a keyword ({@code help KEYWORD}). */
record CommandGroup(String title, String keyword, List<Command> commands) {}
