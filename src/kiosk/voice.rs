//! Voice guidance hooks: what the kiosk would say at each step. The audio comes with the
//! voice issue; until then the prompts are emitted as events (and logged).

/// One spoken prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VoicePrompt {
    Welcome,
    EnterIdNumber,
    CheckIdNumber,
    EnterAppointmentCode,
    PleaseWait,
    TakeYourTicket { number: String },
    RememberYourNumber { number: String },
    ServiceUnavailable { reason: String },
    AlreadyHasNumber { number: String },
    Maintenance,
    PrinterOut,
}

impl VoicePrompt {
    /// The sentence, in Simplified Chinese.
    pub fn text_zh(&self) -> String {
        match self {
            Self::Welcome => "您好，请选择您要办理的业务".into(),
            Self::EnterIdNumber => "请输入身份证号码".into(),
            Self::CheckIdNumber => "身份证号码有误，请核对后重新输入".into(),
            Self::EnterAppointmentCode => "请输入预约码".into(),
            Self::PleaseWait => "正在为您取号，请稍候".into(),
            Self::TakeYourTicket { number } => {
                format!("您的号码是{number}，请取走号票，留意大厅屏幕和语音叫号")
            }
            Self::RememberYourNumber { number } => {
                format!("号票未能打印，您的号码是{number}，请记住您的号码")
            }
            Self::ServiceUnavailable { reason } => format!("该业务暂停取号，{reason}"),
            Self::AlreadyHasNumber { number } => {
                format!("您今天已取过号，号码是{number}，如需补打请点击补打号票")
            }
            Self::Maintenance => "系统维护中，请稍候".into(),
            Self::PrinterOut => "取号机暂停出票，请联系工作人员".into(),
        }
    }
}
