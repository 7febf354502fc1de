<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name></name>
    <message>
        <source>{path} could not be read: {error}</source>
        <translation>无法读取 {path}：{error}</translation>
    </message>
    <message>
        <source>{path} cannot be imported: {error}</source>
        <translation>无法导入 {path}：{error}</translation>
    </message>
    <message>
        <source>The import stopped: {error}. Conversations imported before it are kept.</source>
        <translation>导入中止：{error}。此前已导入的会话会保留。</translation>
    </message>
    <message>
        <source>Imported {imported} conversation(s) ({messages} messages) and {runs} workflow run(s) from {file}; {present} already there; {skipped} skipped.</source>
        <translation>从 {file} 导入了 {imported} 个会话（{messages} 条消息）和 {runs} 次工作流运行；{present} 个已存在；跳过 {skipped} 个。</translation>
    </message>
    <message>
        <source>Imported {imported} conversation(s) ({messages} messages) from {file}; {present} already there; {skipped} skipped.</source>
        <translation>从 {file} 导入了 {imported} 个会话（{messages} 条消息）；{present} 个已存在；跳过 {skipped} 个。</translation>
    </message>
    <message>
        <source>Skipped: {item}</source>
        <translation>跳过：{item}</translation>
    </message>
    <message>
        <source>Note: {warning}</source>
        <translation>注意：{warning}</translation>
    </message>
    <message>
        <source>The link could not be opened</source>
        <translation>无法打开链接</translation>
    </message>
    <message>
        <source>No web browser could be started for this link. Copy it and open it yourself:</source>
        <translation>无法启动浏览器打开此链接。请复制链接后自行打开：</translation>
    </message>
    <message>
        <source>Copy link</source>
        <translation>复制链接</translation>
    </message>
</context>
<context>
    <name>AddBotDialog</name>
    <message>
        <source>Add a bot</source>
        <translation>添加智能体</translation>
    </message>
    <message>
        <source>e.g. 7351234567890123456</source>
        <translation>例如 7351234567890123456</translation>
    </message>
    <message>
        <source>The bot ID is the number at the end of the bot&apos;s address in Coze (…/bot/&lt;b&gt;7351234567890123456&lt;/b&gt;). The bot must be published as an API.</source>
        <translation>智能体 ID 是扣子中智能体网址末尾的数字（…/bot/&lt;b&gt;7351234567890123456&lt;/b&gt;）。智能体须已发布为 API 服务。</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Bot ID:</source>
        <translation>智能体 ID：</translation>
    </message>
    <message>
        <source>Enter your access token in Settings first.</source>
        <translation>请先在设置中填写访问令牌。</translation>
    </message>
    <message>
        <source>Enter the bot ID.</source>
        <translation>请输入智能体 ID。</translation>
    </message>
    <message>
        <source>Looking the bot up…</source>
        <translation>正在查找智能体…</translation>
    </message>
    <message>
        <source>Found “{name}”.</source>
        <translation>已找到“{name}”。</translation>
    </message>
</context>
<context>
    <name>AddWorkflowDialog</name>
    <message>
        <source>Add a workflow</source>
        <translation>添加工作流</translation>
    </message>
    <message>
        <source>e.g. 7428123456789012345</source>
        <translation>例如 7428123456789012345</translation>
    </message>
    <message>
        <source>Workflow</source>
        <translation>工作流</translation>
    </message>
    <message>
        <source>Chat-flow</source>
        <translation>对话流</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <source>optional: the name shown in the list</source>
        <translation>可选：列表中显示的名称</translation>
    </message>
    <message>
        <source>The workflow ID is the number at the end of the workflow&apos;s address in Coze (…/work_flow?workflow_id=&lt;b&gt;7428123456789012345&lt;/b&gt;). The workflow must be published. Give a bot ID or an app ID when the workflow needs one (a chat-flow of an app needs its app ID), never both.</source>
        <translation>工作流 ID 是扣子中工作流地址末尾的数字（…/work_flow?workflow_id=&lt;b&gt;7428123456789012345&lt;/b&gt;）。工作流必须已发布。工作流需要时填写智能体 ID 或应用 ID（应用中的对话流需要其应用 ID），两者不能同时填写。</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Workflow ID:</source>
        <translation>工作流 ID：</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>Bot ID:</source>
        <translation>智能体 ID：</translation>
    </message>
    <message>
        <source>App ID:</source>
        <translation>应用 ID：</translation>
    </message>
    <message>
        <source>Label:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Enter your access token in Settings first.</source>
        <translation>请先在设置中填写访问令牌。</translation>
    </message>
    <message>
        <source>Enter the workflow ID.</source>
        <translation>请输入工作流 ID。</translation>
    </message>
    <message>
        <source>Give a bot ID or an app ID, not both: Coze refuses a run with both.</source>
        <translation>智能体 ID 和应用 ID 只能填一个：两者都填时扣子会拒绝运行。</translation>
    </message>
    <message>
        <source>Looking the workflow up…</source>
        <translation>正在查找工作流…</translation>
    </message>
    <message>
        <source>Found “{name}”.</source>
        <translation>已找到“{name}”。</translation>
    </message>
    <message>
        <source>{error}
Press “Add anyway” to add it without its name.</source>
        <translation>{error}
点击“仍然添加”可在没有名称的情况下添加。</translation>
    </message>
    <message>
        <source>Add anyway</source>
        <translation>仍然添加</translation>
    </message>
</context>
<context>
    <name>AttachmentChip</name>
    <message>
        <source>Remove {name}</source>
        <translation>移除 {name}</translation>
    </message>
    <message>
        <source>Attachment {name}, {size}</source>
        <translation>附件 {name}，{size}</translation>
    </message>
</context>
<context>
    <name>AttachmentChips</name>
    <message>
        <source>Files to send</source>
        <translation>待发送的文件</translation>
    </message>
</context>
<context>
    <name>Attachments</name>
    <message>
        <source>%1 B</source>
        <translation>%1 字节</translation>
    </message>
    <message>
        <source>%1 KB</source>
        <translation>%1 KB</translation>
    </message>
    <message>
        <source>%1 MB</source>
        <translation>%1 MB</translation>
    </message>
    <message>
        <source>%1 GB</source>
        <translation>%1 GB</translation>
    </message>
    <message>
        <source>%1 image</source>
        <translation>%1 图片</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>%1 audio</source>
        <translation>%1 音频</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>“%1” is not kept on this computer, so it cannot be opened.</source>
        <translation>“%1”没有保存在这台电脑上，无法打开。</translation>
    </message>
    <message>
        <source>No application could open “%1”. Its copy is in %2</source>
        <translation>没有应用程序能打开“%1”。它的副本在 %2</translation>
    </message>
    <message>
        <source>“%1” could not be shown as an image.</source>
        <translation>“%1”无法作为图片显示。</translation>
    </message>
</context>
<context>
    <name>BotPicker</name>
    <message>
        <source>Rename bot</source>
        <translation>重命名智能体</translation>
    </message>
    <message>
        <source>Name shown for “{name}” in this app:</source>
        <translation>“{name}”在本应用中显示的名称：</translation>
    </message>
    <message>
        <source>A bot needs a name; the name was not changed.</source>
        <translation>智能体名称不能为空；名称未更改。</translation>
    </message>
    <message>
        <source>The bot could not be renamed: {error}</source>
        <translation>无法重命名智能体：{error}</translation>
    </message>
    <message>
        <source>Remove “{name}” from your bots? Its chats stay in the history and can be read and exported; to continue them, add the bot again.</source>
        <translation>要从智能体列表中移除“{name}”吗？它的对话仍保留在历史记录中，可以阅读和导出；要继续这些对话，请重新添加该智能体。</translation>
    </message>
    <message>
        <source>The bot could not be removed: {error}</source>
        <translation>无法移除智能体：{error}</translation>
    </message>
    <message>
        <source>Removed “{name}” from your bots.</source>
        <translation>已从智能体列表中移除“{name}”。</translation>
    </message>
    <message>
        <source>The bot could not be added again: {error}</source>
        <translation>无法重新添加智能体：{error}</translation>
    </message>
    <message>
        <source>Added “{name}” again.</source>
        <translation>已重新添加“{name}”。</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <source>The bot asked for tool outputs but named no tool call. Retry.</source>
        <translation>智能体要求提交工具结果，却没有给出任何工具调用。请重试。</translation>
    </message>
    <message>
        <source>The reply ended before it was finished. Retry.</source>
        <translation>回复未完成就中断了，请重试。</translation>
    </message>
    <message>
        <source>The answer could not be saved. See the log for details.</source>
        <translation>回答未能保存。详情请查看日志。</translation>
    </message>
    <message>
        <source>Something unexpected went wrong: {error}. See the log for details.</source>
        <translation>发生意外错误：{error}。详情请查看日志。</translation>
    </message>
    <message>
        <source>Write the result of {name} first.</source>
        <translation>请先填写 {name} 的结果。</translation>
    </message>
    <message>
        <source>This reply no longer knows its Coze chat, so it cannot go on. Cancel it and ask again.</source>
        <translation>这条回复已找不到它在扣子上的对话，无法继续。请取消后重新提问。</translation>
    </message>
    <message>
        <source>No access token for this bot&apos;s server. Enter your token in Settings, then retry.</source>
        <translation>没有此智能体所在服务器的访问令牌。请在设置中填写令牌后重试。</translation>
    </message>
    <message>
        <source>The bot is waiting for your answer to its tool call: submit it or cancel it first.</source>
        <translation>智能体正在等待你回答它的工具调用：请先提交或取消。</translation>
    </message>
    <message>
        <source>The question could not be sent: {error}</source>
        <translation>问题未能发送：{error}</translation>
    </message>
</context>
<context>
    <name>ChatHeader</name>
    <message>
        <source>No bot</source>
        <translation>没有智能体</translation>
    </message>
    <message>
        <source>Choose, rename or remove bots</source>
        <translation>选择、重命名或移除智能体</translation>
    </message>
    <message>
        <source>Bot: %1</source>
        <translation>智能体：%1</translation>
    </message>
    <message>
        <source>removed</source>
        <translation>已移除</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>New chats use</source>
        <translation>新对话使用</translation>
    </message>
    <message>
        <source>Rename “%1”…</source>
        <translation>重命名“%1”…</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Remove “%1” from the list…</source>
        <translation>从列表中移除“%1”…</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>移除…</translation>
    </message>
    <message>
        <source>Add bot by ID…</source>
        <translation>按 ID 添加智能体…</translation>
    </message>
    <message>
        <source>Add it again</source>
        <translation>重新添加</translation>
    </message>
    <message>
        <source>Look the bot up on Coze and add it to your list again</source>
        <translation>在扣子上查找此智能体并重新添加到列表</translation>
    </message>
    <message>
        <source>Try the demo bot</source>
        <translation>试用演示智能体</translation>
    </message>
    <message>
        <source>Chat with the built-in demo bots (no account needed)</source>
        <translation>与内置的演示智能体对话（无需账号）</translation>
    </message>
    <message>
        <source>Add bot…</source>
        <translation>添加智能体…</translation>
    </message>
    <message>
        <source>Chat header</source>
        <translation>对话标题栏</translation>
    </message>
</context>
<context>
    <name>ChatflowDialog</name>
    <message>
        <source>New chat-flow chat</source>
        <translation>新建对话流聊天</translation>
    </message>
    <message>
        <source>e.g. 7351234567890123456</source>
        <translation>例如 7351234567890123456</translation>
    </message>
    <message>
        <source>the app the chat-flow belongs to</source>
        <translation>对话流所属的应用</translation>
    </message>
    <message>
        <source>or the bot it is bound to</source>
        <translation>或它绑定的智能体</translation>
    </message>
    <message>
        <source>A chat-flow is a workflow you talk to like a bot. Give its ID and the ID of its app (or of the bot it is bound to). It must be published as an API.</source>
        <translation>对话流是可以像智能体一样对话的工作流。请填写它的 ID 和所属应用的 ID（或它绑定的智能体的 ID）。它必须已发布为 API。</translation>
    </message>
    <message>
        <source>Start chat</source>
        <translation>开始聊天</translation>
    </message>
    <message>
        <source>Chat-flow ID:</source>
        <translation>对话流 ID：</translation>
    </message>
    <message>
        <source>App ID:</source>
        <translation>应用 ID：</translation>
    </message>
    <message>
        <source>Bot ID:</source>
        <translation>智能体 ID：</translation>
    </message>
    <message>
        <source>Enter the chat-flow ID.</source>
        <translation>请输入对话流 ID。</translation>
    </message>
    <message>
        <source>Give the app ID or the bot ID, not both.</source>
        <translation>请填写应用 ID 或智能体 ID，不能两个都填。</translation>
    </message>
    <message>
        <source>Enter the app ID of the chat-flow (or the bot ID it is bound to).</source>
        <translation>请输入对话流的应用 ID（或它绑定的智能体 ID）。</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Why sending is unavailable</source>
        <translation>无法发送的原因</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the answer</source>
        <translation>停止回答</translation>
    </message>
    <message>
        <source>Stop the answer (the text so far is kept)</source>
        <translation>停止回答（保留已生成的内容）</translation>
    </message>
    <message>
        <source>Message composer</source>
        <translation>消息输入框</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>添加附件</translation>
    </message>
    <message>
        <source>“{name}” cannot be read ({reason}).</source>
        <translation>无法读取“{name}”（{reason}）。</translation>
    </message>
    <message>
        <source>Pasted image {time}.png</source>
        <translation>粘贴的图片 {time}.png</translation>
    </message>
    <message>
        <source>The pasted image could not be saved for sending.</source>
        <translation>粘贴的图片无法保存，未能添加。</translation>
    </message>
    <message>
        <source>Enter to send, Shift+Enter for a new line</source>
        <translation>Enter 发送，Shift+Enter 换行</translation>
    </message>
    <message>
        <source>Ctrl+Enter to send, Enter for a new line</source>
        <translation>Ctrl+Enter 发送，Enter 换行</translation>
    </message>
    <message>
        <source>Ask anything…  (%1)</source>
        <translation>输入你的问题…（%1）</translation>
    </message>
    <message>
        <source>Attach files or images ({shortcut}); you can also drop or paste them</source>
        <translation>添加文件或图片（{shortcut}）；也可以拖放或粘贴</translation>
    </message>
</context>
<context>
    <name>Confirmation</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <source>Untitled chat</source>
        <translation>未命名对话</translation>
    </message>
    <message>
        <source>%1 messages</source>
        <translation>%1 条消息</translation>
    </message>
    <message>
        <source>pinned</source>
        <translation>已置顶</translation>
    </message>
    <message>
        <source>reply being written</source>
        <translation>正在回复</translation>
    </message>
</context>
<context>
    <name>ConversationListView</name>
    <message>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <source>Search all chats</source>
        <translation>搜索全部对话</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>新建对话</translation>
    </message>
    <message>
        <source>Start a new chat</source>
        <translation>开始新对话</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Search results</source>
        <translation>搜索结果</translation>
    </message>
    <message>
        <source>Chat list</source>
        <translation>对话列表</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>取消置顶</translation>
    </message>
    <message>
        <source>Pin to top</source>
        <translation>置顶</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Rename chat</source>
        <translation>重命名对话</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>Could not rename</source>
        <translation>无法重命名</translation>
    </message>
    <message>
        <source>Could not pin</source>
        <translation>无法置顶</translation>
    </message>
    <message>
        <source>Untitled chat</source>
        <translation>未命名对话</translation>
    </message>
    <message>
        <source>Delete chat</source>
        <translation>删除对话</translation>
    </message>
    <message>
        <source>Move “%1” to Recently deleted? You can restore it there for %2 days.</source>
        <translation>将“%1”移到“最近删除”？%2 天内可在那里恢复。</translation>
    </message>
    <message>
        <source>Move to trash</source>
        <translation>移到回收站</translation>
    </message>
    <message>
        <source>Could not delete</source>
        <translation>无法删除</translation>
    </message>
    <message>
        <source>No messages match “%1”.</source>
        <translation>没有与“%1”匹配的消息。</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <source>Something went wrong</source>
        <translation>出错了</translation>
    </message>
    <message>
        <source>Coze Desktop ran into an unexpected error. Your chats are saved. If it happens again, please send this report (it contains no token) to the developers.</source>
        <translation>Coze Desktop 遇到了意外错误，你的对话均已保存。如果问题再次出现，请将这份报告（不含令牌）发送给开发者。</translation>
    </message>
    <message>
        <source>Copy report</source>
        <translation>复制报告</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>打开日志文件夹</translation>
    </message>
</context>
<context>
    <name>ErrorCard</name>
    <message>
        <source>The run failed</source>
        <translation>运行失败</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>Image %1</source>
        <translation>图片 %1</translation>
    </message>
    <message>
        <source>−</source>
        <translation>−</translation>
    </message>
    <message>
        <source>Zoom out (Ctrl+−)</source>
        <translation>缩小 (Ctrl+−)</translation>
    </message>
    <message>
        <source>+</source>
        <translation>+</translation>
    </message>
    <message>
        <source>Zoom in (Ctrl++)</source>
        <translation>放大 (Ctrl++)</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Fit the image to the window</source>
        <translation>让图片适应窗口大小</translation>
    </message>
    <message>
        <source>100%</source>
        <translation>100%</translation>
    </message>
    <message>
        <source>Show the image at its size (Ctrl+0)</source>
        <translation>按原始大小显示图片 (Ctrl+0)</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the image to the clipboard</source>
        <translation>把图片复制到剪贴板</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Save a copy of the image</source>
        <translation>保存图片的副本</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Close the viewer (Esc)</source>
        <translation>关闭查看器 (Esc)</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Zoom %1</source>
        <translation>缩放 %1</translation>
    </message>
    <message>
        <source>Save image as</source>
        <translation>图片另存为</translation>
    </message>
    <message>
        <source>The image could not be saved to %1: %2</source>
        <translation>无法把图片保存到 %1：%2</translation>
    </message>
</context>
<context>
    <name>ImportReport</name>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
</context>
<context>
    <name>MainMenus</name>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>新建对话(&amp;N)</translation>
    </message>
    <message>
        <source>New c&amp;hat-flow chat…</source>
        <translation>新建对话流聊天(&amp;H)…</translation>
    </message>
    <message>
        <source>&amp;Export conversation…</source>
        <translation>导出对话(&amp;E)…</translation>
    </message>
    <message>
        <source>Export &amp;all conversations and workflow runs…</source>
        <translation>导出全部会话和工作流运行(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Import…</source>
        <translation>导入(&amp;I)…</translation>
    </message>
    <message>
        <source>Recently &amp;deleted…</source>
        <translation>最近删除(&amp;D)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Copy last answer</source>
        <translation>复制最新回答(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Find in chats</source>
        <translation>在对话中查找(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Sources panel</source>
        <translation>引用来源面板(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <source>&amp;Bots</source>
        <translation>智能体(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Try the &amp;demo bot</source>
        <translation>试用演示智能体(&amp;D)</translation>
    </message>
    <message>
        <source>Open &amp;log folder</source>
        <translation>打开日志文件夹(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;About Coze Desktop</source>
        <translation>关于 Coze Desktop(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Add bot by ID…</source>
        <translation>按 ID 添加智能体(&amp;A)…</translation>
    </message>
    <message>
        <source>Add &amp;workflow by ID…</source>
        <translation>按 ID 添加工作流(&amp;W)…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>No bot yet. Add one with Bots → Add bot by ID…, or try the demo bot.</source>
        <translation>还没有智能体。请通过“智能体 → 按 ID 添加智能体…”添加，或试用演示智能体。</translation>
    </message>
    <message>
        <source>The bot of this chat was removed from your list. Click “Add it again” above to continue this chat, or start a new chat.</source>
        <translation>此对话的智能体已从列表中移除。点击上方的“重新添加”以继续此对话，或新建对话。</translation>
    </message>
    <message>
        <source>The bot is waiting for your answer to its tool call above: submit it, or cancel it, first.</source>
        <translation>智能体正在等待你回答上面的工具调用：请先提交或取消。</translation>
    </message>
    <message>
        <source>The system keyring is not available, so no token is saved. Open Settings (Ctrl+,), enter your token and tick “Keep the token for this session only”.</source>
        <translation>系统钥匙串不可用，因此没有保存令牌。请打开设置（Ctrl+,），填写令牌并勾选“仅在本次运行期间保留令牌”。</translation>
    </message>
    <message>
        <source>No access token for this server. Open Settings (Ctrl+,) and enter your Coze access token.</source>
        <translation>没有此服务器的访问令牌。请打开设置（Ctrl+,）并填写扣子访问令牌。</translation>
    </message>
    <message>
        <source>You are offline. Sending works again when the network is back.</source>
        <translation>当前处于离线状态，网络恢复后即可发送。</translation>
    </message>
    <message>
        <source>demo server</source>
        <translation>演示服务器</translation>
    </message>
    <message>
        <source>no bot</source>
        <translation>无智能体</translation>
    </message>
    <message>
        <source>{bot} · {region}</source>
        <translation>{bot} · {region}</translation>
    </message>
    <message>
        <source>Coze no longer knew this conversation, so a new one was started there: the bot does not remember the messages above.</source>
        <translation>扣子已找不到此会话，因此在扣子上开始了一个新会话：智能体不记得上面的消息。</translation>
    </message>
    <message>
        <source>API calls this month: –</source>
        <translation>本月 API 调用：–</translation>
    </message>
    <message>
        <source>Calls to a server on this computer, such as the demo, are free and not counted.</source>
        <translation>对本机服务器（例如演示服务器）的调用免费，不计数。</translation>
    </message>
    <message>
        <source>API calls this month: {count} / {limit}</source>
        <translation>本月 API 调用：{count} / {limit}</translation>
    </message>
    <message>
        <source>Calls this app made with this token this month that reached Coze. On Coze&apos;s free plan an account has 500 API calls in total, not per month.</source>
        <translation>本月本应用用此令牌发往扣子并得到响应的调用。扣子免费版每个账号共有 500 次 API 调用（累计，不是每月）。</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>cut off</source>
        <translation>被中断</translation>
    </message>
    <message>
        <source>waiting for your answer</source>
        <translation>等待你的回答</translation>
    </message>
    <message>
        <source>Last answer: {details}</source>
        <translation>上次回答：{details}</translation>
    </message>
    <message>
        <source>The chat history file was damaged. It was moved to {path} (nothing was deleted) and a new, empty history was started.</source>
        <translation>聊天记录文件已损坏，已移到 {path}（没有删除任何内容），并新建了空的聊天记录。</translation>
    </message>
    <message>
        <source>1 answer was cut off when the app last closed; its text is kept.</source>
        <translation>上次关闭应用时有 1 条回答被中断，已生成的内容已保留。</translation>
    </message>
    <message>
        <source>{count} answers were cut off when the app last closed; their text is kept.</source>
        <translation>上次关闭应用时有 {count} 条回答被中断，已生成的内容已保留。</translation>
    </message>
    <message>
        <source>No bot to send to.</source>
        <translation>没有可以发送消息的智能体。</translation>
    </message>
    <message>
        <source>Wait for the answer to finish, or stop it (Esc).</source>
        <translation>请等待回答完成，或按 Esc 停止。</translation>
    </message>
    <message>
        <source>The question could not be sent: {error}</source>
        <translation>问题未能发送：{error}</translation>
    </message>
    <message>
        <source>A chat-flow takes text only: files cannot be sent to it.</source>
        <translation>对话流只接受文字，不能发送文件。</translation>
    </message>
    <message>
        <source>JSON without attachments (*.json)</source>
        <translation>JSON，不含附件 (*.json)</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>HTML page (*.html)</source>
        <translation>HTML 网页 (*.html)</translation>
    </message>
    <message>
        <source>JSON, for import (*.json)</source>
        <translation>JSON，可用于导入 (*.json)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>This run no longer exists.</source>
        <translation>这次运行已不存在。</translation>
    </message>
    <message>
        <source>Open a conversation to export it.</source>
        <translation>请先打开要导出的对话。</translation>
    </message>
    <message>
        <source>Import conversations</source>
        <translation>导入对话</translation>
    </message>
    <message>
        <source>Coze Desktop export (*.json);;All files (*)</source>
        <translation>Coze Desktop 导出文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Answer copied.</source>
        <translation>回答已复制。</translation>
    </message>
    <message>
        <source>There is no answer to copy.</source>
        <translation>没有可复制的回答。</translation>
    </message>
    <message>
        <source>The chat could not be canceled: {error}</source>
        <translation>无法取消对话：{error}</translation>
    </message>
    <message>
        <source>Wait for the answer to finish (or stop it), then send the edited question.</source>
        <translation>请等回答写完（或停止它）后再发送修改后的问题。</translation>
    </message>
    <message>
        <source>Could not send the edited question: {error}</source>
        <translation>无法发送修改后的问题：{error}</translation>
    </message>
    <message>
        <source>Wait for the answer to finish (or stop it), then switch versions.</source>
        <translation>请等回答写完（或停止它）后再切换版本。</translation>
    </message>
    <message>
        <source>Could not show that version: {error}</source>
        <translation>无法显示该版本：{error}</translation>
    </message>
    <message>
        <source>Delete message</source>
        <translation>删除消息</translation>
    </message>
    <message>
        <source>Move this message to Recently deleted? You can restore it there for {days} days.</source>
        <translation>将这条消息移到“最近删除”？{days} 天内可在那里恢复。</translation>
    </message>
    <message>
        <source>Move to trash</source>
        <translation>移到回收站</translation>
    </message>
    <message>
        <source>Message deleted</source>
        <translation>已删除消息</translation>
    </message>
    <message>
        <source>Untitled chat</source>
        <translation>未命名对话</translation>
    </message>
    <message>
        <source>Deleted “{title}”</source>
        <translation>已删除“{title}”</translation>
    </message>
    <message>
        <source>The chat could not be restored: {error}</source>
        <translation>无法恢复对话：{error}</translation>
    </message>
    <message>
        <source>The message could not be restored: {error}</source>
        <translation>无法恢复消息：{error}</translation>
    </message>
    <message>
        <source>No access token for this server.</source>
        <translation>没有此服务器的访问令牌。</translation>
    </message>
    <message>
        <source>Added “{name}”.</source>
        <translation>已添加“{name}”。</translation>
    </message>
    <message>
        <source>The logs are in {folder}</source>
        <translation>日志位于 {folder}</translation>
    </message>
    <message>
        <source>About Coze Desktop</source>
        <translation>关于 Coze Desktop</translation>
    </message>
    <message>
        <source>&lt;b&gt;Coze Desktop {version}&lt;/b&gt;&lt;p&gt;A desktop client for Coze (扣子) bots: streaming answers, knowledge-base sources and a local, searchable history.&lt;/p&gt;&lt;p&gt;Logs: {logs}&lt;/p&gt;</source>
        <translation>&lt;b&gt;Coze Desktop {version}&lt;/b&gt;&lt;p&gt;扣子（Coze）智能体桌面客户端：流式回答、知识库引用来源，以及可搜索的本地聊天记录。&lt;/p&gt;&lt;p&gt;日志：{logs}&lt;/p&gt;</translation>
    </message>
    <message>
        <source>No web browser could be opened for this link. Copy it and open it yourself: {url}</source>
        <translation>无法启动浏览器打开此链接。请复制链接后自行打开：{url}</translation>
    </message>
    <message>
        <source>The reply failed: {error}</source>
        <translation>回复失败：{error}</translation>
    </message>
    <message>
        <source>Could not ask again: {error}</source>
        <translation>无法重新提问：{error}</translation>
    </message>
    <message>
        <source>Stop the answer before deleting it.</source>
        <translation>请先停止回答，再删除。</translation>
    </message>
    <message>
        <source>The message could not be deleted: {error}</source>
        <translation>消息未能删除：{error}</translation>
    </message>
    <message>
        <source>Copied.</source>
        <translation>已复制。</translation>
    </message>
    <message>
        <source>Publish the bot as an API</source>
        <translation>将智能体发布为 API</translation>
    </message>
    <message>
        <source>Coze answers only for bots published to the API channel:&lt;ol&gt;&lt;li&gt;Open the bot in Coze (coze.cn or coze.com).&lt;/li&gt;&lt;li&gt;Click &lt;b&gt;Publish&lt;/b&gt; (top right).&lt;/li&gt;&lt;li&gt;Tick the &lt;b&gt;API&lt;/b&gt; channel (“Agent as API”) and publish.&lt;/li&gt;&lt;li&gt;Come back and press &lt;b&gt;Retry&lt;/b&gt;.&lt;/li&gt;&lt;/ol&gt;</source>
        <translation>扣子只为已发布到 API 渠道的智能体作答：&lt;ol&gt;&lt;li&gt;在扣子（coze.cn 或 coze.com）中打开该智能体。&lt;/li&gt;&lt;li&gt;点击右上角的&lt;b&gt;发布&lt;/b&gt;。&lt;/li&gt;&lt;li&gt;勾选 &lt;b&gt;API&lt;/b&gt; 渠道（“Agent as API”）并发布。&lt;/li&gt;&lt;li&gt;回到这里，点击&lt;b&gt;重试&lt;/b&gt;。&lt;/li&gt;&lt;/ol&gt;</translation>
    </message>
    <message>
        <source>Looking the bot up…</source>
        <translation>正在查找智能体…</translation>
    </message>
    <message>
        <source>Starting the demo server…</source>
        <translation>正在启动演示服务器…</translation>
    </message>
    <message>
        <source>The demo server could not start: {error}</source>
        <translation>演示服务器未能启动：{error}</translation>
    </message>
    <message>
        <source>Enter your access token.</source>
        <translation>请输入访问令牌。</translation>
    </message>
</context>
<context>
    <name>Markdown</name>
    <message>
        <source>Copy code</source>
        <translation>复制代码</translation>
    </message>
</context>
<context>
    <name>MessageView</name>
    <message>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <source>Show earlier messages</source>
        <translation>显示更早的消息</translation>
    </message>
    <message>
        <source>Conversation</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
</context>
<context>
    <name>NodeCard</name>
    <message>
        <source>running…</source>
        <translation>运行中…</translation>
    </message>
    <message>
        <source>finished · %1 s</source>
        <translation>已完成 · %1 秒</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
</context>
<context>
    <name>OutputCard</name>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the output</source>
        <translation>复制输出</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Output as a tree</source>
        <translation>树形输出</translation>
    </message>
</context>
<context>
    <name>ParamRow</name>
    <message>
        <source>name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Parameter name</source>
        <translation>参数名</translation>
    </message>
    <message>
        <source>Parameter type</source>
        <translation>参数类型</translation>
    </message>
    <message>
        <source>Parameter value</source>
        <translation>参数值</translation>
    </message>
    <message>
        <source>Remove this parameter</source>
        <translation>删除此参数</translation>
    </message>
</context>
<context>
    <name>ParamsForm</name>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>数字</translation>
    </message>
    <message>
        <source>Boolean</source>
        <translation>布尔值</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <source>The JSON is not valid: {error}</source>
        <translation>JSON 无效：{error}</translation>
    </message>
    <message>
        <source>The parameters must be a JSON object, like {&quot;city&quot;: &quot;北京&quot;}.</source>
        <translation>参数必须是一个 JSON 对象，例如 {&quot;city&quot;: &quot;北京&quot;}。</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Raw JSON</source>
        <translation>原始 JSON</translation>
    </message>
    <message>
        <source>Edit the parameters as one JSON object</source>
        <translation>以一个 JSON 对象编辑参数</translation>
    </message>
    <message>
        <source>Add parameter</source>
        <translation>添加参数</translation>
    </message>
    <message>
        <source>No parameters: the workflow runs with an empty object.</source>
        <translation>没有参数：工作流将以空对象运行。</translation>
    </message>
    <message>
        <source>Parameters as JSON</source>
        <translation>JSON 格式的参数</translation>
    </message>
</context>
<context>
    <name>QuestionCard</name>
    <message>
        <source>The workflow asks</source>
        <translation>工作流提问</translation>
    </message>
    <message>
        <source>Your answer</source>
        <translation>你的回答</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续运行</translation>
    </message>
    <message>
        <source>Answered: %1</source>
        <translation>已回答：%1</translation>
    </message>
</context>
<context>
    <name>QuestionEditor</name>
    <message>
        <source>Editing… Sending asks this again; the earlier question and its answers are kept as a version.</source>
        <translation>正在编辑… 发送后会重新提问；原来的问题及其回答会保留为一个版本。</translation>
    </message>
    <message>
        <source>Edited question</source>
        <translation>修改后的问题</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Send the edited question (Ctrl+Enter)</source>
        <translation>发送修改后的问题（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Type a question to send</source>
        <translation>请输入要发送的问题</translation>
    </message>
    <message>
        <source>Change the question to send it again</source>
        <translation>修改问题后才能重新发送</translation>
    </message>
</context>
<context>
    <name>RegionPicker</name>
    <message>
        <source>China (api.coze.cn)</source>
        <translation>国内版（api.coze.cn）</translation>
    </message>
    <message>
        <source>Global (api.coze.com)</source>
        <translation>国际版（api.coze.com）</translation>
    </message>
    <message>
        <source>Demo server on this computer</source>
        <translation>本机演示服务器</translation>
    </message>
    <message>
        <source>Custom address…</source>
        <translation>自定义地址…</translation>
    </message>
    <message>
        <source>Custom API address</source>
        <translation>自定义 API 地址</translation>
    </message>
</context>
<context>
    <name>ReplyImages</name>
    <message>
        <source>Image not available</source>
        <translation>图片无法显示</translation>
    </message>
    <message>
        <source>Loading image…</source>
        <translation>正在加载图片…</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
</context>
<context>
    <name>RunView</name>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Run the workflow with these parameters</source>
        <translation>用这些参数运行工作流</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Run again with these parameters</source>
        <translation>用这些参数再次运行</translation>
    </message>
    <message>
        <source>Debug page</source>
        <translation>调试页面</translation>
    </message>
    <message>
        <source>Export run…</source>
        <translation>导出运行…</translation>
    </message>
    <message>
        <source>Save this run as Markdown, an HTML page or JSON</source>
        <translation>把这次运行保存为 Markdown、HTML 网页或 JSON</translation>
    </message>
    <message>
        <source>Workflow %1</source>
        <translation>工作流 %1</translation>
    </message>
    <message>
        <source>bot %1</source>
        <translation>智能体 %1</translation>
    </message>
    <message>
        <source>app %1</source>
        <translation>应用 %1</translation>
    </message>
    <message>
        <source>a saved run (read-only)</source>
        <translation>已保存的运行（只读）</translation>
    </message>
    <message>
        <source>Running…</source>
        <translation>运行中…</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Waiting for your answer</source>
        <translation>等待你的回答</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 tokens</source>
        <translation>%1 个 token</translation>
    </message>
</context>
<context>
    <name>SearchResultsModel</name>
    <message>
        <source>You</source>
        <translation>我</translation>
    </message>
    <message>
        <source>Bot</source>
        <translation>智能体</translation>
    </message>
    <message>
        <source>%1 (in a source)</source>
        <translation>%1（引用来源中）</translation>
    </message>
    <message>
        <source>Workflow run: %1</source>
        <translation>工作流运行：%1</translation>
    </message>
    <message>
        <source>Untitled chat</source>
        <translation>未命名对话</translation>
    </message>
    <message>
        <source>output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>question</source>
        <translation>提问</translation>
    </message>
    <message>
        <source>your answer</source>
        <translation>你的回答</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>node %1</source>
        <translation>节点 %1</translation>
    </message>
    <message>
        <source>a node</source>
        <translation>某个节点</translation>
    </message>
    <message>
        <source>question of %1</source>
        <translation>%1 的提问</translation>
    </message>
    <message>
        <source>Workflow run</source>
        <translation>工作流运行</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Optional: a bot ID to test with</source>
        <translation>可选：用于测试的智能体 ID</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>Stream answers as they are written</source>
        <translation>流式显示回答（边生成边显示）</translation>
    </message>
    <message>
        <source>e.g. http://127.0.0.1:7890 — empty: the system&apos;s</source>
        <translation>例如 http://127.0.0.1:7890，留空则使用系统代理</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Region:</source>
        <translation>区域：</translation>
    </message>
    <message>
        <source>Access token:</source>
        <translation>访问令牌：</translation>
    </message>
    <message>
        <source>Bot ID:</source>
        <translation>智能体 ID：</translation>
    </message>
    <message>
        <source>User ID:</source>
        <translation>用户 ID：</translation>
    </message>
    <message>
        <source>Proxy:</source>
        <translation>代理：</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>System size</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <source>Enter sends, Shift+Enter adds a line</source>
        <translation>Enter 发送，Shift+Enter 换行</translation>
    </message>
    <message>
        <source>Ctrl+Enter sends, Enter adds a line</source>
        <translation>Ctrl+Enter 发送，Enter 换行</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <source>Font size:</source>
        <translation>字号：</translation>
    </message>
    <message>
        <source>Sending:</source>
        <translation>发送方式：</translation>
    </message>
    <message>
        <source>Usage</source>
        <translation>用量</translation>
    </message>
    <message>
        <source>Warn near this many API calls:</source>
        <translation>API 调用次数提醒阈值：</translation>
    </message>
    <message>
        <source>Coze&apos;s free personal plan gives an account 500 API calls in total, not per month; after that the account can no longer use the API. Paid plans have no call limit. The status bar counts only this app&apos;s calls to Coze this month (the demo is free).</source>
        <translation>扣子个人免费版每个账号共有 500 次 API 调用（累计，不是每月），用完后该账号无法再调用 API。付费版不限调用次数。状态栏只统计本月本应用发往扣子的调用（演示免费）。</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source>Largest attachment</source>
        <translation>附件大小上限</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>附件</translation>
    </message>
    <message>
        <source>Largest attachment:</source>
        <translation>附件大小上限：</translation>
    </message>
    <message>
        <source>Coze takes files up to 512 MB; a lower limit here keeps larger files out of the composer.</source>
        <translation>扣子接受最大 512 MB 的文件；在此设置更低的上限，超过的文件不会被添加到输入框。</translation>
    </message>
    <message>
        <source>Enter the server address and a token first.</source>
        <translation>请先填写服务器地址和令牌。</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>正在测试…</translation>
    </message>
    <message>
        <source>Connected. The token works and the bot “{name}” is available.</source>
        <translation>连接成功。令牌有效，智能体“{name}”可用。</translation>
    </message>
    <message>
        <source>Connected. The token works.</source>
        <translation>连接成功。令牌有效。</translation>
    </message>
    <message>
        <source>Enter the custom server address.</source>
        <translation>请填写自定义服务器地址。</translation>
    </message>
    <message>
        <source>Tick “this session only” and press OK to use it until you quit.</source>
        <translation>勾选“仅在本次运行期间保留令牌”并点击“确定”，即可在退出前使用该令牌。</translation>
    </message>
</context>
<context>
    <name>SidePanels</name>
    <message>
        <source>Collapsed panels</source>
        <translation>收起的面板</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>对话列表</translation>
    </message>
    <message>
        <source>Show the list of chats (the window is too narrow for all panels)</source>
        <translation>显示对话列表（窗口太窄，放不下所有面板）</translation>
    </message>
    <message>
        <source>Sources</source>
        <translation>引用来源</translation>
    </message>
    <message>
        <source>Show the sources panel (the window is too narrow for all panels)</source>
        <translation>显示来源面板（窗口太窄，放不下所有面板）</translation>
    </message>
</context>
<context>
    <name>SourceCard</name>
    <message>
        <source>Untitled document</source>
        <translation>未命名文档</translation>
    </message>
    <message>
        <source>Relevance score (higher is closer to the question)</source>
        <translation>相关度得分（越高越贴近问题）</translation>
    </message>
    <message>
        <source>Knowledge base: %1</source>
        <translation>知识库：%1</translation>
    </message>
    <message>
        <source>(empty passage)</source>
        <translation>（空片段）</translation>
    </message>
    <message>
        <source>Passage %1</source>
        <translation>片段 %1</translation>
    </message>
    <message>
        <source>Source %1: %2</source>
        <translation>来源 %1：%2</translation>
    </message>
    <message>
        <source>Cited passage</source>
        <translation>被引用的段落</translation>
    </message>
</context>
<context>
    <name>SourcesPanel</name>
    <message>
        <source>Sources</source>
        <translation>引用来源</translation>
    </message>
    <message>
        <source>This answer did not use a knowledge base.</source>
        <translation>这条回答没有引用知识库。</translation>
    </message>
    <message>
        <source>Click an answer to see the knowledge-base passages it used.</source>
        <translation>点击一条回答，查看它引用的知识库片段。</translation>
    </message>
</context>
<context>
    <name>Steps</name>
    <message>
        <source>a tool</source>
        <translation>一个工具</translation>
    </message>
    <message>
        <source>asked “%1”</source>
        <translation>提问“%1”</translation>
    </message>
    <message>
        <source>tool response</source>
        <translation>工具返回</translation>
    </message>
    <message>
        <source>tool output</source>
        <translation>工具输出</translation>
    </message>
    <message>
        <source>called %1 (%2)</source>
        <translation>调用 %1（%2）</translation>
    </message>
    <message>
        <source>called %1</source>
        <translation>调用 %1</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>not answered</source>
        <translation>未回答</translation>
    </message>
</context>
<context>
    <name>TokenField</name>
    <message>
        <source>Access token</source>
        <translation>访问令牌</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Keep the token for this session only (not saved)</source>
        <translation>仅在本次运行期间保留令牌（不保存）</translation>
    </message>
    <message>
        <source>No system keyring: the token is kept until you quit.</source>
        <translation>系统钥匙串不可用：令牌只保留到退出为止。</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>The system keyring is not available, so the token cannot be saved safely. It will be kept in memory until you quit. On Linux, install and unlock a Secret Service (gnome-keyring or KWallet) to save it.</source>
        <translation>系统钥匙串不可用，无法安全保存令牌。令牌将保留在内存中，直到你退出应用。在 Linux 上，安装并解锁 Secret Service（gnome-keyring 或 KWallet）后即可保存。</translation>
    </message>
    <message>
        <source>A token is saved; leave empty to keep it</source>
        <translation>已保存令牌；留空则继续使用</translation>
    </message>
    <message>
        <source>Paste your personal access token (pat_…)</source>
        <translation>粘贴个人访问令牌（pat_…）</translation>
    </message>
</context>
<context>
    <name>TransferStatus</name>
    <message>
        <source>Canceling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>Transfers</name>
    <message>
        <source>Exporting to {name}…</source>
        <translation>正在导出到 {name}…</translation>
    </message>
    <message>
        <source>Exported to {path}, attached files in {folder}</source>
        <translation>已导出到 {path}，附件在 {folder}</translation>
    </message>
    <message>
        <source>Exported to {path}</source>
        <translation>已导出到 {path}</translation>
    </message>
    <message>
        <source>The export to {path} could not be written: {error}</source>
        <translation>未能写入导出文件 {path}：{error}</translation>
    </message>
    <message>
        <source>Export canceled; no file was written.</source>
        <translation>导出已取消，未写入任何文件。</translation>
    </message>
    <message>
        <source>Importing {name}…</source>
        <translation>正在导入 {name}…</translation>
    </message>
    <message>
        <source>{path} could not be imported: {error}</source>
        <translation>无法导入 {path}：{error}</translation>
    </message>
    <message>
        <source>Import canceled. Conversations imported before it are kept; importing the file again adds the rest.</source>
        <translation>导入已取消。取消前已导入的会话会保留；再次导入该文件即可补上其余会话。</translation>
    </message>
    <message>
        <source>An export or import is under way: wait for it to end, or cancel it.</source>
        <translation>正在导出或导入：请等它完成，或先取消。</translation>
    </message>
</context>
<context>
    <name>TrashDialog</name>
    <message>
        <source>Recently deleted</source>
        <translation>最近删除</translation>
    </message>
    <message>
        <source>Deleted chats and messages are kept here for %1 days, then deleted for good.</source>
        <translation>删除的对话和消息在这里保留 %1 天，之后永久删除。</translation>
    </message>
    <message>
        <source>Deleted item</source>
        <translation>已删除的内容</translation>
    </message>
    <message>
        <source>From</source>
        <translation>来自</translation>
    </message>
    <message>
        <source>Deleted on</source>
        <translation>删除时间</translation>
    </message>
    <message>
        <source>Nothing was deleted recently.</source>
        <translation>最近没有删除任何内容。</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Delete forever…</source>
        <translation>永久删除…</translation>
    </message>
    <message>
        <source>Empty trash…</source>
        <translation>清空回收站…</translation>
    </message>
    <message>
        <source>Untitled chat</source>
        <translation>未命名对话</translation>
    </message>
    <message>
        <source>Chat: %1</source>
        <translation>对话：%1</translation>
    </message>
    <message>
        <source>%1 messages</source>
        <translation>%1 条消息</translation>
    </message>
    <message>
        <source>You</source>
        <translation>我</translation>
    </message>
    <message>
        <source>Bot</source>
        <translation>智能体</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Delete forever</source>
        <translation>永久删除</translation>
    </message>
    <message>
        <source>Delete the selected items for good? This cannot be undone.</source>
        <translation>永久删除选中的内容？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Empty trash</source>
        <translation>清空回收站</translation>
    </message>
    <message>
        <source>Delete everything in Recently deleted for good? This cannot be undone.</source>
        <translation>永久删除“最近删除”中的所有内容？此操作无法撤销。</translation>
    </message>
</context>
<context>
    <name>UndoNotice</name>
    <message>
        <source>Deleted · Undo</source>
        <translation>已删除 · 撤销</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
</context>
<context>
    <name>UserMessages</name>
    <message>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
</context>
<context>
    <name>VersionSwitcher</name>
    <message>
        <source>Previous version</source>
        <translation>上一个版本</translation>
    </message>
    <message>
        <source>Next version</source>
        <translation>下一个版本</translation>
    </message>
    <message>
        <source>%1/%2</source>
        <translation>%1/%2</translation>
    </message>
    <message>
        <source>Version %1 of %2</source>
        <translation>第 %1 个版本，共 %2 个</translation>
    </message>
</context>
<context>
    <name>WelcomeView</name>
    <message>
        <source>Welcome to Coze Desktop</source>
        <translation>欢迎使用 Coze Desktop</translation>
    </message>
    <message>
        <source>Chat with your Coze (扣子) bots, see the knowledge behind each answer, keep your history.</source>
        <translation>与你的扣子智能体对话，查看每条回答背后的知识，保存你的聊天记录。</translation>
    </message>
    <message>
        <source>Connect your Coze bot</source>
        <translation>连接你的扣子智能体</translation>
    </message>
    <message>
        <source>The number at the end of the bot&apos;s address in Coze</source>
        <translation>扣子中智能体网址末尾的数字</translation>
    </message>
    <message>
        <source>Create a personal access token in Coze under API → Personal access tokens (&lt;a href=&quot;{cn}&quot;&gt;coze.cn&lt;/a&gt; · &lt;a href=&quot;{com}&quot;&gt;coze.com&lt;/a&gt;) with the chat permissions, and publish your bot as an API.</source>
        <translation>在扣子的 API → 个人访问令牌页面（&lt;a href=&quot;{cn}&quot;&gt;coze.cn&lt;/a&gt; · &lt;a href=&quot;{com}&quot;&gt;coze.com&lt;/a&gt;）创建一个带对话权限的个人访问令牌，并将智能体发布为 API 服务。</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Region:</source>
        <translation>区域：</translation>
    </message>
    <message>
        <source>Access token:</source>
        <translation>访问令牌：</translation>
    </message>
    <message>
        <source>Bot ID:</source>
        <translation>智能体 ID：</translation>
    </message>
    <message>
        <source>Try it without an account</source>
        <translation>无需账号，先试一试</translation>
    </message>
    <message>
        <source>Try the demo bot</source>
        <translation>试用演示智能体</translation>
    </message>
    <message>
        <source>No account needed: a small demo server starts on this computer with an after-sales knowledge bot, a reasoning bot and a general assistant. Nothing leaves your computer.</source>
        <translation>无需账号：将在本机启动一个小型演示服务器，内含售后知识库智能体、推理智能体和通用助手。任何数据都不会离开你的电脑。</translation>
    </message>
    <message>
        <source>Skip: just read my saved chats</source>
        <translation>跳过：仅查看已保存的对话</translation>
    </message>
    <message>
        <source>Enter the region, your access token and the bot ID.</source>
        <translation>请选择区域，并填写访问令牌和智能体 ID。</translation>
    </message>
</context>
<context>
    <name>WorkflowController</name>
    <message>
        <source>Something unexpected went wrong: {error}. See the log for details.</source>
        <translation>发生了意外错误：{error}。详情请查看日志。</translation>
    </message>
</context>
<context>
    <name>WorkflowsPanel</name>
    <message>
        <source>Workflows</source>
        <translation>工作流</translation>
    </message>
    <message>
        <source>Add workflow… (a workflow or chat-flow, by its ID)</source>
        <translation>添加工作流…（按 ID 添加工作流或对话流）</translation>
    </message>
    <message>
        <source>Add workflow…</source>
        <translation>添加工作流…</translation>
    </message>
    <message>
        <source>Workflows and their runs</source>
        <translation>工作流及其运行记录</translation>
    </message>
    <message>
        <source>No workflows yet.</source>
        <translation>还没有工作流。</translation>
    </message>
    <message>
        <source>Add one by its ID with + (try demo-weather).</source>
        <translation>点 + 按 ID 添加一个（可试试 demo-weather）。</translation>
    </message>
    <message>
        <source>Runs of removed workflows</source>
        <translation>已移除工作流的运行记录</translation>
    </message>
    <message numerus="yes">
        <source>%n earlier run(s): search finds them</source>
        <translation>
            <numerusform>还有 %n 次更早的运行：可用搜索找到</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (chat-flow)</source>
        <translation>%1（对话流）</translation>
    </message>
    <message>
        <source>Export run…</source>
        <translation>导出运行…</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>移除…</translation>
    </message>
</context>
<context>
    <name>WorkflowsSection</name>
    <message>
        <source>This run no longer exists.</source>
        <translation>这次运行已不存在。</translation>
    </message>
    <message>
        <source>The workflow could not be saved: {error}</source>
        <translation>无法保存工作流：{error}</translation>
    </message>
    <message>
        <source>The workflow could not be renamed: {error}</source>
        <translation>无法重命名工作流：{error}</translation>
    </message>
    <message>
        <source>The workflow could not be removed: {error}</source>
        <translation>无法移除工作流：{error}</translation>
    </message>
    <message>
        <source>Rename workflow</source>
        <translation>重命名工作流</translation>
    </message>
    <message>
        <source>Name shown in the list:</source>
        <translation>列表中显示的名称：</translation>
    </message>
    <message>
        <source>Remove workflow</source>
        <translation>移除工作流</translation>
    </message>
    <message>
        <source>Remove “{name}” from the list? Its saved runs stay readable.</source>
        <translation>从列表中移除“{name}”？已保存的运行记录仍可查看。</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Enter your access token in Settings first.</source>
        <translation>请先在设置中填写访问令牌。</translation>
    </message>
    <message>
        <source>Give this workflow a bot ID or an app ID, not both.</source>
        <translation>这个工作流只能填写智能体 ID 或应用 ID，不能两个都填。</translation>
    </message>
    <message>
        <source>The run could not be saved: {error}</source>
        <translation>无法保存这次运行：{error}</translation>
    </message>
    <message>
        <source>This run cannot be resumed any more.</source>
        <translation>这次运行已无法继续。</translation>
    </message>
    <message>
        <source>The answer could not be saved: {error}</source>
        <translation>无法保存回答：{error}</translation>
    </message>
</context>
<context>
    <name>_AnswerBody</name>
    <message>
        <source>Untitled document</source>
        <translation>未命名文档</translation>
    </message>
    <message>
        <source>Source %1: %2</source>
        <translation>来源 %1：%2</translation>
    </message>
</context>
<context>
    <name>_AttachmentStrip</name>
    <message>
        <source>Attachments</source>
        <translation>附件</translation>
    </message>
    <message>
        <source>Image %1</source>
        <translation>图片 %1</translation>
    </message>
    <message>
        <source>Opens the image viewer</source>
        <translation>打开图片查看器</translation>
    </message>
    <message>
        <source>%1
%2
Click to open it</source>
        <translation>%1
%2
点击打开</translation>
    </message>
    <message>
        <source>File %1, %2</source>
        <translation>文件 %1，%2</translation>
    </message>
    <message>
        <source>Opens the file with its default application</source>
        <translation>用默认应用程序打开文件</translation>
    </message>
    <message>
        <source>not kept on this computer</source>
        <translation>未保存在这台电脑上</translation>
    </message>
    <message>
        <source>%1 (%2) was sent, but no copy of it was kept on this computer.</source>
        <translation>%1（%2）已发送，但这台电脑上没有保存它的副本。</translation>
    </message>
    <message>
        <source>“%1” was not kept on this computer.</source>
        <translation>“%1”没有保存在这台电脑上。</translation>
    </message>
</context>
<context>
    <name>_Banner</name>
    <message>
        <source>The reply failed</source>
        <translation>回复失败</translation>
    </message>
    <message>
        <source>Stopped. The text received so far is kept.</source>
        <translation>已停止。已收到的内容已保留。</translation>
    </message>
    <message>
        <source>Interrupted: the app closed before this reply finished. The text received so far is kept.</source>
        <translation>已中断：应用在回复完成前关闭了。已收到的内容已保留。</translation>
    </message>
    <message>
        <source>Code %1</source>
        <translation>错误码 %1</translation>
    </message>
    <message>
        <source>Log ID %1</source>
        <translation>日志 ID %1</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>A newer version of this answer exists (›).</source>
        <translation>这条回答已有更新的版本（›）。</translation>
    </message>
    <message>
        <source>Enter the token again</source>
        <translation>重新填写令牌</translation>
    </message>
    <message>
        <source>How to publish as API</source>
        <translation>如何发布为 API</translation>
    </message>
</context>
<context>
    <name>_MessageWidget</name>
    <message>
        <source>Question</source>
        <translation>提问</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <source>You</source>
        <translation>我</translation>
    </message>
    <message>
        <source>Writing…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <source>Reasoning</source>
        <translation>思考过程</translation>
    </message>
    <message>
        <source>Thinking…</source>
        <translation>思考中…</translation>
    </message>
    <message>
        <source>Hide reasoning</source>
        <translation>收起思考过程</translation>
    </message>
    <message>
        <source>Show reasoning</source>
        <translation>展开思考过程</translation>
    </message>
    <message>
        <source>Expanded</source>
        <translation>已展开</translation>
    </message>
    <message>
        <source>Collapsed</source>
        <translation>已收起</translation>
    </message>
    <message>
        <source>Suggested follow-up questions</source>
        <translation>推荐的追问</translation>
    </message>
    <message>
        <source>1 source</source>
        <translation>1 个来源</translation>
    </message>
    <message>
        <source>%1 sources</source>
        <translation>%1 个来源</translation>
    </message>
    <message>
        <source>Show the knowledge-base passages this answer used</source>
        <translation>查看这条回答引用的知识库片段</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the text of this message</source>
        <translation>复制这条消息的文本</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Edit this question and send it again</source>
        <translation>编辑这个问题并重新发送</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Write this answer again</source>
        <translation>重新生成这条回答</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete this message</source>
        <translation>删除这条消息</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 tokens</source>
        <translation>%1 Tokens</translation>
    </message>
</context>
<context>
    <name>_PrologueCard</name>
    <message>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <source>Welcome message</source>
        <translation>开场白</translation>
    </message>
    <message>
        <source>Suggested questions</source>
        <translation>推荐问题</translation>
    </message>
    <message>
        <source>Welcome from %1</source>
        <translation>%1 的开场白</translation>
    </message>
</context>
<context>
    <name>_StepsPanel</name>
    <message>
        <source>1 step: %1</source>
        <translation>1 个步骤：%1</translation>
    </message>
    <message>
        <source>%1 steps</source>
        <translation>%1 个步骤</translation>
    </message>
    <message>
        <source>Plugins and functions the bot called for this answer</source>
        <translation>智能体为这条回答调用的插件和函数</translation>
    </message>
    <message>
        <source>Expanded</source>
        <translation>已展开</translation>
    </message>
    <message>
        <source>Collapsed</source>
        <translation>已收起</translation>
    </message>
</context>
<context>
    <name>_TextView</name>
    <message>
        <source>Try loading the picture again</source>
        <translation>重新加载图片</translation>
    </message>
    <message>
        <source>Open the picture</source>
        <translation>打开图片</translation>
    </message>
</context>
<context>
    <name>_ToolCallCard</name>
    <message>
        <source>The bot asks you</source>
        <translation>智能体向你提问</translation>
    </message>
    <message>
        <source>The bot waits for the result of a local tool</source>
        <translation>智能体正在等待本地工具的结果</translation>
    </message>
    <message>
        <source>Submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Send the results to the bot; its reply goes on here (Ctrl+Enter)</source>
        <translation>把结果发给智能体，它的回复会在这里继续（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>End this chat without answering; the reply keeps what it has</source>
        <translation>不回答并结束这次对话，已有的回复内容会保留</translation>
    </message>
    <message>
        <source>Your answer</source>
        <translation>你的回答</translation>
    </message>
    <message>
        <source>Function: %1</source>
        <translation>函数：%1</translation>
    </message>
    <message>
        <source>(no arguments)</source>
        <translation>（无参数）</translation>
    </message>
    <message>
        <source>The result of %1</source>
        <translation>%1 的结果</translation>
    </message>
    <message>
        <source>Answer the question first.</source>
        <translation>请先回答问题。</translation>
    </message>
    <message>
        <source>Write the result of %1 first.</source>
        <translation>请先填写 %1 的结果。</translation>
    </message>
</context>
<context>
    <name>dialogs</name>
    <message>
        <source>Unexpected error ({name}). See the log for details.</source>
        <translation>意外错误（{name}）。详情请查看日志。</translation>
    </message>
</context>
<context>
    <name>uploads</name>
    <message>
        <source>“{name}” was not found. It may have been moved or deleted.</source>
        <translation>找不到“{name}”，它可能已被移动或删除。</translation>
    </message>
    <message>
        <source>“{name}” is a folder. Attach the files in it instead.</source>
        <translation>“{name}”是文件夹，请添加其中的文件。</translation>
    </message>
    <message>
        <source>“{name}” is empty. Coze does not take empty files.</source>
        <translation>“{name}”是空文件，扣子不接受空文件。</translation>
    </message>
    <message>
        <source>“{name}” is too large: {size}, the limit is {limit}.</source>
        <translation>“{name}”太大：{size}，上限为 {limit}。</translation>
    </message>
    <message>
        <source>“{name}” changed while it was being sent. Attach it again.</source>
        <translation>“{name}”在发送过程中被修改，请重新添加。</translation>
    </message>
    <message>
        <source>“{name}” cannot be read ({reason}).</source>
        <translation>无法读取“{name}”（{reason}）。</translation>
    </message>
    <message>
        <source>“{name}” could not be kept in the history: {error}</source>
        <translation>“{name}”未能保存到聊天记录：{error}</translation>
    </message>
    <message>
        <source>“{name}” could not be uploaded: {error}</source>
        <translation>“{name}”上传失败：{error}</translation>
    </message>
</context>
</TS>
