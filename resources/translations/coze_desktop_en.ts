<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name></name>
    <message>
        <source>{path} could not be read: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{path} cannot be imported: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The import stopped: {error}. Conversations imported before it are kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imported {imported} conversation(s) ({messages} messages) and {runs} workflow run(s) from {file}; {present} already there; {skipped} skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imported {imported} conversation(s) ({messages} messages) from {file}; {present} already there; {skipped} skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skipped: {item}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note: {warning}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The link could not be opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No web browser could be started for this link. Copy it and open it yourself:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy link</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AddBotDialog</name>
    <message>
        <source>Add a bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. 7351234567890123456</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot ID is the number at the end of the bot&apos;s address in Coze (…/bot/&lt;b&gt;7351234567890123456&lt;/b&gt;). The bot must be published as an API.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your access token in Settings first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the bot ID.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Looking the bot up…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Found “{name}”.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AddWorkflowDialog</name>
    <message>
        <source>Add a workflow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. 7428123456789012345</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workflow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat-flow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional: the name shown in the list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The workflow ID is the number at the end of the workflow&apos;s address in Coze (…/work_flow?workflow_id=&lt;b&gt;7428123456789012345&lt;/b&gt;). The workflow must be published. Give a bot ID or an app ID when the workflow needs one (a chat-flow of an app needs its app ID), never both.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workflow ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>App ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your access token in Settings first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the workflow ID.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give a bot ID or an app ID, not both: Coze refuses a run with both.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Looking the workflow up…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Found “{name}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{error}
Press “Add anyway” to add it without its name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add anyway</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AttachmentChip</name>
    <message>
        <source>Remove {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attachment {name}, {size}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AttachmentChips</name>
    <message>
        <source>Files to send</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Attachments</name>
    <message>
        <source>%1 B</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 KB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 MB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 GB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 audio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” is not kept on this computer, so it cannot be opened.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No application could open “%1”. Its copy is in %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” could not be shown as an image.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BotPicker</name>
    <message>
        <source>Rename bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name shown for “{name}” in this app:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A bot needs a name; the name was not changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot could not be renamed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove “{name}” from your bots? Its chats stay in the history and can be read and exported; to continue them, add the bot again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot could not be removed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed “{name}” from your bots.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot could not be added again: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added “{name}” again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <source>The bot asked for tool outputs but named no tool call. Retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The reply ended before it was finished. Retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The answer could not be saved. See the log for details.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Something unexpected went wrong: {error}. See the log for details.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write the result of {name} first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This reply no longer knows its Coze chat, so it cannot go on. Cancel it and ask again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No access token for this bot&apos;s server. Enter your token in Settings, then retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot is waiting for your answer to its tool call: submit it or cancel it first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The question could not be sent: {error}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatHeader</name>
    <message>
        <source>No bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose, rename or remove bots</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New chats use</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename “%1”…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove “%1” from the list…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add bot by ID…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add it again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Look the bot up on Coze and add it to your list again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try the demo bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat with the built-in demo bots (no account needed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add bot…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat header</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatflowDialog</name>
    <message>
        <source>New chat-flow chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. 7351234567890123456</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the app the chat-flow belongs to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>or the bot it is bound to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A chat-flow is a workflow you talk to like a bot. Give its ID and the ID of its app (or of the bot it is bound to). It must be published as an API.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat-flow ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>App ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the chat-flow ID.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the app ID or the bot ID, not both.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the app ID of the chat-flow (or the bot ID it is bound to).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Why sending is unavailable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the answer (the text so far is kept)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message composer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” cannot be read ({reason}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pasted image {time}.png</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The pasted image could not be saved for sending.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter to send, Shift+Enter for a new line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Enter to send, Enter for a new line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask anything…  (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attach files or images ({shortcut}); you can also drop or paste them</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Confirmation</name>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <source>Untitled chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pinned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reply being written</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConversationListView</name>
    <message>
        <source>Yesterday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search all chats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start a new chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pin to top</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not rename</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not pin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Untitled chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move “%1” to Recently deleted? You can restore it there for %2 days.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move to trash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No messages match “%1”.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <source>Something went wrong</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Coze Desktop ran into an unexpected error. Your chats are saved. If it happens again, please send this report (it contains no token) to the developers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ErrorCard</name>
    <message>
        <source>The run failed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>−</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom out (Ctrl+−)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom in (Ctrl++)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit the image to the window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>100%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the image at its size (Ctrl+0)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the image to the clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save a copy of the image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close the viewer (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save image as</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image could not be saved to %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportReport</name>
    <message>
        <source>Import</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainMenus</name>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New c&amp;hat-flow chat…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export conversation…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export &amp;all conversations and workflow runs…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Import…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recently &amp;deleted…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy last answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find in chats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Sources panel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Bots</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try the &amp;demo bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;log folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Coze Desktop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add bot by ID…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add &amp;workflow by ID…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>No bot yet. Add one with Bots → Add bot by ID…, or try the demo bot.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot of this chat was removed from your list. Click “Add it again” above to continue this chat, or start a new chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot is waiting for your answer to its tool call above: submit it, or cancel it, first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The system keyring is not available, so no token is saved. Open Settings (Ctrl+,), enter your token and tick “Keep the token for this session only”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No access token for this server. Open Settings (Ctrl+,) and enter your Coze access token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are offline. Sending works again when the network is back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>demo server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{bot} · {region}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Coze no longer knew this conversation, so a new one was started there: the bot does not remember the messages above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API calls this month: –</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calls to a server on this computer, such as the demo, are free and not counted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API calls this month: {count} / {limit}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calls this app made with this token this month that reached Coze. On Coze&apos;s free plan an account has 500 API calls in total, not per month.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cut off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting for your answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last answer: {details}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The chat history file was damaged. It was moved to {path} (nothing was deleted) and a new, empty history was started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 answer was cut off when the app last closed; its text is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} answers were cut off when the app last closed; their text is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No bot to send to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for the answer to finish, or stop it (Esc).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The question could not be sent: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A chat-flow takes text only: files cannot be sent to it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON without attachments (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTML page (*.html)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON, for import (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This run no longer exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a conversation to export it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Coze Desktop export (*.json);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no answer to copy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The chat could not be canceled: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for the answer to finish (or stop it), then send the edited question.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not send the edited question: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for the answer to finish (or stop it), then switch versions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not show that version: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move this message to Recently deleted? You can restore it there for {days} days.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move to trash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message deleted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Untitled chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleted “{title}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The chat could not be restored: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The message could not be restored: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No access token for this server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added “{name}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The logs are in {folder}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About Coze Desktop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Coze Desktop {version}&lt;/b&gt;&lt;p&gt;A desktop client for Coze (扣子) bots: streaming answers, knowledge-base sources and a local, searchable history.&lt;/p&gt;&lt;p&gt;Logs: {logs}&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No web browser could be opened for this link. Copy it and open it yourself: {url}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The reply failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not ask again: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the answer before deleting it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The message could not be deleted: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Publish the bot as an API</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Coze answers only for bots published to the API channel:&lt;ol&gt;&lt;li&gt;Open the bot in Coze (coze.cn or coze.com).&lt;/li&gt;&lt;li&gt;Click &lt;b&gt;Publish&lt;/b&gt; (top right).&lt;/li&gt;&lt;li&gt;Tick the &lt;b&gt;API&lt;/b&gt; channel (“Agent as API”) and publish.&lt;/li&gt;&lt;li&gt;Come back and press &lt;b&gt;Retry&lt;/b&gt;.&lt;/li&gt;&lt;/ol&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Looking the bot up…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting the demo server…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo server could not start: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your access token.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Markdown</name>
    <message>
        <source>Copy code</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MessageView</name>
    <message>
        <source>Assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show earlier messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NodeCard</name>
    <message>
        <source>running…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>finished · %1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>finished</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OutputCard</name>
    <message>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output as a tree</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ParamRow</name>
    <message>
        <source>name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameter name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameter type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameter value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove this parameter</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ParamsForm</name>
    <message>
        <source>Text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Boolean</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The JSON is not valid: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The parameters must be a JSON object, like {&quot;city&quot;: &quot;北京&quot;}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raw JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit the parameters as one JSON object</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add parameter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No parameters: the workflow runs with an empty object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters as JSON</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QuestionCard</name>
    <message>
        <source>The workflow asks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answered: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QuestionEditor</name>
    <message>
        <source>Editing… Sending asks this again; the earlier question and its answers are kept as a version.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edited question</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the edited question (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type a question to send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change the question to send it again</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RegionPicker</name>
    <message>
        <source>China (api.coze.cn)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Global (api.coze.com)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo server on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom address…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom API address</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReplyImages</name>
    <message>
        <source>Image not available</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading image…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RunView</name>
    <message>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the workflow with these parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run again with these parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Debug page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export run…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save this run as Markdown, an HTML page or JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workflow %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bot %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>app %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a saved run (read-only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for your answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tokens</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SearchResultsModel</name>
    <message>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (in a source)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workflow run: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Untitled chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>question</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>your answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>node %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>question of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workflow run</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional: a bot ID to test with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stream answers as they are written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. http://127.0.0.1:7890 — empty: the system&apos;s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Region:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxy:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter sends, Shift+Enter adds a line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Enter sends, Enter adds a line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Font size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Usage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warn near this many API calls:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Coze&apos;s free personal plan gives an account 500 API calls in total, not per month; after that the account can no longer use the API. Paid plans have no call limit. The status bar counts only this app&apos;s calls to Coze this month (the demo is free).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> MB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Largest attachment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Largest attachment:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Coze takes files up to 512 MB; a lower limit here keeps larger files out of the composer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the server address and a token first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected. The token works and the bot “{name}” is available.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected. The token works.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the custom server address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick “this session only” and press OK to use it until you quit.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SidePanels</name>
    <message>
        <source>Collapsed panels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the list of chats (the window is too narrow for all panels)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the sources panel (the window is too narrow for all panels)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SourceCard</name>
    <message>
        <source>Untitled document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relevance score (higher is closer to the question)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Knowledge base: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(empty passage)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passage %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cited passage</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SourcesPanel</name>
    <message>
        <source>Sources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This answer did not use a knowledge base.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click an answer to see the knowledge-base passages it used.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Steps</name>
    <message>
        <source>a tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>asked “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tool response</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tool output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>called %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>called %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not answered</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TokenField</name>
    <message>
        <source>Access token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the token for this session only (not saved)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No system keyring: the token is kept until you quit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The system keyring is not available, so the token cannot be saved safely. It will be kept in memory until you quit. On Linux, install and unlock a Secret Service (gnome-keyring or KWallet) to save it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A token is saved; leave empty to keep it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste your personal access token (pat_…)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TransferStatus</name>
    <message>
        <source>Canceling…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Transfers</name>
    <message>
        <source>Exporting to {name}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported to {path}, attached files in {folder}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported to {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The export to {path} could not be written: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export canceled; no file was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Importing {name}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{path} could not be imported: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import canceled. Conversations imported before it are kept; importing the file again adds the rest.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An export or import is under way: wait for it to end, or cancel it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TrashDialog</name>
    <message>
        <source>Recently deleted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleted chats and messages are kept here for %1 days, then deleted for good.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleted item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleted on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was deleted recently.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete forever…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty trash…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Untitled chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete forever</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the selected items for good? This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty trash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete everything in Recently deleted for good? This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UndoNotice</name>
    <message>
        <source>Deleted · Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UserMessages</name>
    <message>
        <source>Continue</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VersionSwitcher</name>
    <message>
        <source>Previous version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1/%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WelcomeView</name>
    <message>
        <source>Welcome to Coze Desktop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat with your Coze (扣子) bots, see the knowledge behind each answer, keep your history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect your Coze bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The number at the end of the bot&apos;s address in Coze</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create a personal access token in Coze under API → Personal access tokens (&lt;a href=&quot;{cn}&quot;&gt;coze.cn&lt;/a&gt; · &lt;a href=&quot;{com}&quot;&gt;coze.com&lt;/a&gt;) with the chat permissions, and publish your bot as an API.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Region:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try it without an account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try the demo bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No account needed: a small demo server starts on this computer with an after-sales knowledge bot, a reasoning bot and a general assistant. Nothing leaves your computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skip: just read my saved chats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the region, your access token and the bot ID.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WorkflowController</name>
    <message>
        <source>Something unexpected went wrong: {error}. See the log for details.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WorkflowsPanel</name>
    <message>
        <source>Workflows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add workflow… (a workflow or chat-flow, by its ID)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add workflow…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workflows and their runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No workflows yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add one by its ID with + (try demo-weather).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs of removed workflows</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n earlier run(s): search finds them</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (chat-flow)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export run…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WorkflowsSection</name>
    <message>
        <source>This run no longer exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The workflow could not be saved: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The workflow could not be renamed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The workflow could not be removed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename workflow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name shown in the list:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove workflow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove “{name}” from the list? Its saved runs stay readable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your access token in Settings first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give this workflow a bot ID or an app ID, not both.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The run could not be saved: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This run cannot be resumed any more.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The answer could not be saved: {error}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>_AnswerBody</name>
    <message>
        <source>Untitled document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>_AttachmentStrip</name>
    <message>
        <source>Attachments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opens the image viewer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
%2
Click to open it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File %1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opens the file with its default application</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not kept on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2) was sent, but no copy of it was kept on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” was not kept on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>_Banner</name>
    <message>
        <source>The reply failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped. The text received so far is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interrupted: the app closed before this reply finished. The text received so far is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Code %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log ID %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A newer version of this answer exists (›).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the token again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How to publish as API</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>_MessageWidget</name>
    <message>
        <source>Question</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thinking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hide reasoning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show reasoning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expanded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Collapsed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Suggested follow-up questions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 sources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the knowledge-base passages this answer used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the text of this message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit this question and send it again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write this answer again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete this message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tokens</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>_PrologueCard</name>
    <message>
        <source>Assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Welcome message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Suggested questions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Welcome from %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>_StepsPanel</name>
    <message>
        <source>1 step: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plugins and functions the bot called for this answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expanded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Collapsed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>_TextView</name>
    <message>
        <source>Try loading the picture again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the picture</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>_ToolCallCard</name>
    <message>
        <source>The bot asks you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot waits for the result of a local tool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Submit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the results to the bot; its reply goes on here (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End this chat without answering; the reply keeps what it has</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Function: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no arguments)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The result of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer the question first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write the result of %1 first.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dialogs</name>
    <message>
        <source>Unexpected error ({name}). See the log for details.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>uploads</name>
    <message>
        <source>“{name}” was not found. It may have been moved or deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” is a folder. Attach the files in it instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” is empty. Coze does not take empty files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” is too large: {size}, the limit is {limit}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” changed while it was being sent. Attach it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” cannot be read ({reason}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” could not be kept in the history: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{name}” could not be uploaded: {error}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
